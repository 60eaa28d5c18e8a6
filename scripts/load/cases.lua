-- wrk script for GET /api/v1/cases (the URL and the Authorization header are given on
-- wrk's command line by scripts/load.sh). Only adds the end-of-run report.
dofile((os.getenv("LOAD_LUA_DIR") or "scripts/load") .. "/report.lua")
