-- wrk script for POST /api/v1/posts: each request is a batch of LOAD_BATCH JSON lines
-- (default 100) with ids unique across threads, requests and runs:
--   "<LOAD_RUN>-<thread>-<counter>"
-- The Authorization header is given on wrk's command line by scripts/load.sh.
dofile((os.getenv("LOAD_LUA_DIR") or "scripts/load") .. "/report.lua")

local batch = tonumber(os.getenv("LOAD_BATCH") or "100")
local run = os.getenv("LOAD_RUN") or tostring(os.time())

-- Complaints, questions and praise in French and English, about several brands of
-- data/sample/brands.toml; %s is replaced by a number so that no two texts are equal.
local texts = {
  "@lunea_rail train de nuit supprimé sans prévenir, réservation %s, troisième fois ce mois-ci. Remboursez-moi.",
  "@orange_conseil ma fibre est coupée depuis vendredi, ticket %s, et personne ne répond à la hotline.",
  "@bouyguestelecom facture %s erronée, vous me prélevez deux fois le même mois. Inadmissible.",
  "Voltaire Énergie m'a coupé le gaz par erreur, contrat %s, et le service client ne rappelle jamais.",
  "@skywayair lost my luggage again, booking %s, on hold for two hours. Unacceptable.",
  "@orange_conseil my internet has been down for 4 days, case %s, nobody answers. Thinking of cancelling.",
  "Skyway Airlines cancelled flight %s with no information at the desk, we sleep at the airport.",
  "Hi @lunea_rail, how do I change the date of booking %s?",
  "Merci @bouyguestelecom, problème %s réglé en une journée !",
  "les thermes de Valrose ont annulé ma cure %s la veille et refusent de rembourser l'acompte.",
}

local counter = 0
local threads = {}

-- Runs in wrk's main Lua state, once per thread: gives each thread its number (a global
-- of that thread's own Lua state).
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

local function now_rfc3339()
  return os.date("!%Y-%m-%dT%H:%M:%SZ")
end

function request()
  local lines = {}
  local at = now_rfc3339()
  for i = 1, batch do
    counter = counter + 1
    local id = run .. "-" .. thread_id .. "-" .. counter
    local text = string.format(texts[(counter % #texts) + 1], id)
    -- About 4 posts per author and thread over a run: some cases get several posts.
    local author = "@wrk" .. run .. "_" .. thread_id .. "_" .. (counter % 2000)
    lines[i] = '{"id":"' .. id .. '","author":"' .. author .. '","published_at":"' .. at ..
               '","text":"' .. text .. '"}'
  end
  -- wrk.format uses the headers it is given instead of wrk.headers (which hold the -H
  -- options): give it both.
  local headers = {["Content-Type"] = "application/json"}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  return wrk.format("POST", "/api/v1/posts", headers, table.concat(lines, "\n"))
end
