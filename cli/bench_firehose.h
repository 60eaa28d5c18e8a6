// `ecoute bench firehose`: a loopback Jetstream replayed to the service's own stream.
#pragma once

#include <cstddef>
#include <string>

namespace ecoute::cli {

struct FirehoseCliOptions {
  size_t events = 200000;
  size_t brands = 5000;
  double brand_share = 0.02;  // of the posts, naming a brand
  double rate = 0;            // events/s; 0: as fast as they are read
  double seconds = 0;         // with rate: replay rate * seconds events
  std::string data_dir;
  std::string db;  // keep the database there
  bool no_model = false;
};

int RunFirehoseBenchCommand(const FirehoseCliOptions& options);

}  // namespace ecoute::cli
