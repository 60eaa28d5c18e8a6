// Service (ecoute/serve.h): the command line over the environment over the settings file,
// and the steps that fail before anything is served.
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "ecoute/serve.h"

namespace ecoute {
namespace {

// An environment of the given variables only.
Service::Getenv Environment(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const char* name) -> const char* {
    const auto found = variables.find(name);
    return found == variables.end() ? nullptr : found->second.c_str();
  };
}

std::unique_ptr<Service> Configure(const ServeOptions& options, const Service::Getenv& getenv) {
  Result<std::unique_ptr<Service>> service = Service::Configure(options, getenv);
  EXPECT_TRUE(service.has_value()) << service.error().ToString();
  return service.has_value() ? std::move(service).value() : nullptr;
}

TEST(ServiceTest, TheCommandLineOverridesTheEnvironment) {
  const Service::Getenv env = Environment({{"ECOUTE_HTTP_LISTEN", "10.0.0.1:9000"}});
  ServeOptions options;
  std::unique_ptr<Service> service = Configure(options, env);
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->url(), "http://10.0.0.1:0/");  // no port bound before Start
  options.listen = "127.0.0.2:8081";
  service = Configure(options, env);
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->url(), "http://127.0.0.2:0/");
}

TEST(ServiceTest, TheUrlNamesALocalHostForAWildcardAndThePublicUrlWhenSet) {
  ServeOptions options;
  options.listen = "0.0.0.0:8080";
  std::unique_ptr<Service> service = Configure(options, Environment({}));
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->url(), "http://127.0.0.1:0/");
  service =
      Configure(options, Environment({{"ECOUTE_HTTP_PUBLIC_URL", "https://ecoute.example/"}}));
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(service->url(), "https://ecoute.example/");
}

TEST(ServiceTest, RefusesAnUnknownLogFormatBeforeLogging) {
  ServeOptions options;
  options.log_format = "xml";
  std::unique_ptr<Service> service = Configure(options, Environment({}));
  ASSERT_NE(service, nullptr);
  const Status logging = service->SetUpLogging();
  EXPECT_EQ(logging.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(logging.message(), "--log-format: text or json");
}

TEST(ServiceTest, AWrongSettingFailsConfigureAndNamesTheVariable) {
  Result<std::unique_ptr<Service>> service =
      Service::Configure(ServeOptions{}, Environment({{"ECOUTE_ACCESS_LOCKOUT", "soon"}}));
  ASSERT_FALSE(service.has_value());
  EXPECT_EQ(service.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(service.error().message().find("ECOUTE_ACCESS_LOCKOUT"), std::string::npos)
      << service.error().message();
}

TEST(ServiceTest, StartWithoutACatalogFailsBeforeOpeningTheDatabase) {
  ServeOptions options;
  options.db_path = "/nonexistent/ecoute.db";
  std::unique_ptr<Service> service =
      Configure(options, Environment({{"ECOUTE_DB", "/elsewhere/ecoute.db"}}));
  ASSERT_NE(service, nullptr);
  const Status started = service->Start();
  EXPECT_EQ(started.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(started.message().find("no brand catalog"), std::string::npos) << started.message();
}

}  // namespace
}  // namespace ecoute
