// ReadFeed (ecoute/sources.h): the streaming path when it can, else the document path.
#include "sources/feed/feed_reader.h"

#include <functional>
#include <string_view>
#include <vector>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "sources/feed/entry_post.h"

namespace ecoute {

void ReadFeed(std::string_view bytes, std::string_view name,
              const std::function<void(const Post&)>& emit, std::vector<Problem>& problems) {
  const size_t first_problem = problems.size();
  if (!feeds::ReadFeedStreaming(bytes, name, emit, problems)) {
    feeds::ReadFeedWithDocument(bytes, name, emit, problems);
  }
  for (size_t i = first_problem; i < problems.size(); ++i) {
    feeds::RepairField(problems[i].where);
    feeds::RepairField(problems[i].message);
  }
}

}  // namespace ecoute
