// SendHttp and SendMail against real servers on loopback: HTTP (testing_http_server.h) and
// SMTP with STARTTLS (testing_smtp_server.h, the certificate of data/test/tls).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fetch/fetcher.h"
#include "fetch/testing_http_server.h"
#include "fetch/testing_smtp_server.h"

namespace ecoute {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;
using testing::SmtpBehaviour;
using testing::SmtpServer;

const std::string kTls = std::string(ECOUTE_TEST_DATA_DIR) + "/test/tls/";

FetchOptions Loopback() {
  FetchOptions options;
  options.timeout_ms = 3000;
  options.connect_timeout_ms = 2000;
  options.outbound.allow_private = ParseIpRanges({"127.0.0.0/8"}).value();
  options.ca_file = kTls + "cert.pem";
  return options;
}

TEST(SendHttpTest, SendsMethodHeadersAndBodyAndReturnsTheAnswersHeaders) {
  HttpServer server([](const HttpRequest&) {
    return HttpResponse{429, {{"Retry-After", "120"}, {"X-Thing", "a"}}, "{\"error\":\"slow\"}", 0};
  });
  HttpCall call;
  call.method = "PUT";
  call.url = server.Url("/api/thing?x=1");
  call.header_lines = {"Content-Type: application/json", "Authorization: Bearer t0k"};
  call.body = R"({"a":1})";
  Result<HttpAnswer> answer = SendHttp(call, Loopback());
  ASSERT_TRUE(answer) << answer.error().ToString();
  EXPECT_EQ(answer->status, 429);
  EXPECT_EQ(answer->Header("retry-after"), "120");
  EXPECT_EQ(answer->Header("x-thing"), "a");
  EXPECT_EQ(answer->body, "{\"error\":\"slow\"}");
  const std::vector<HttpRequest> requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].path, "/api/thing?x=1");
  EXPECT_EQ(requests[0].headers.at("authorization"), "Bearer t0k");
  EXPECT_EQ(requests[0].body, R"({"a":1})");

  call.method = "GET";
  call.body.clear();
  ASSERT_TRUE(SendHttp(call, Loopback()));
  EXPECT_EQ(server.Requests().back().method, "GET");
}

TEST(SendHttpTest, SaysWhetherTheRequestWasSentWhenNoAnswerCame) {
  HttpServer server([](const HttpRequest& r) {
    HttpResponse response{200, {}, "late", 0};
    if (r.path == "/drop") response.drop = true;
    if (r.path == "/slow") response.delay_ms = 1500;
    return response;
  });
  FetchOptions options = Loopback();
  options.timeout_ms = 500;
  SendTrace trace;
  HttpCall call{"POST", server.Url("/drop"), {}, "body"};
  Result<HttpAnswer> dropped = SendHttp(call, options, &trace);
  ASSERT_FALSE(dropped);
  EXPECT_EQ(dropped.error().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(trace.request_sent);

  call.url = server.Url("/slow");
  Result<HttpAnswer> slow = SendHttp(call, options, &trace);
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().code(), StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(trace.request_sent);

  call.url = "http://127.0.0.1:1/closed";
  Result<HttpAnswer> refused = SendHttp(call, options, &trace);
  ASSERT_FALSE(refused);
  EXPECT_FALSE(trace.request_sent);
}

TEST(SendHttpTest, TheOutboundPolicyGuardsIt) {
  HttpServer server([](const HttpRequest&) { return HttpResponse{200, {}, "", 0}; });
  FetchOptions options = Loopback();
  options.outbound.allow_private.clear();
  Result<HttpAnswer> answer = SendHttp({"POST", server.Url("/"), {}, "x"}, options);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(server.Requests().empty());
}

MailCall Mail(const SmtpServer& server) {
  MailCall mail;
  mail.url = server.Url();
  mail.username = "care@example.com";
  mail.password = "mail password 1";
  mail.from = "care@example.com";
  mail.recipients = {"marie@example.org"};
  mail.message =
      "From: care@example.com\r\nTo: marie@example.org\r\nSubject: Re: ma commande\r\n"
      "Message-ID: <r1@ecoute>\r\n\r\nBonjour,\r\n.dotted line\r\n";
  return mail;
}

TEST(SendMailTest, SendsOverStartTlsWithAuthentication) {
  SmtpServer server(kTls + "cert.pem", kTls + "key.pem");
  SendTrace trace;
  Status sent = SendMail(Mail(server), Loopback(), &trace);
  ASSERT_TRUE(sent.ok()) << sent.ToString();
  const std::vector<testing::SmtpSession> sessions = server.Sessions();
  ASSERT_EQ(sessions.size(), 1u);
  const testing::SmtpSession& s = sessions[0];
  EXPECT_TRUE(s.tls);
  EXPECT_TRUE(s.ehlo_after_tls);  // RFC 3207 4.2: the client forgets what it knew
  EXPECT_TRUE(s.authenticated);
  EXPECT_EQ(s.mail_from, "care@example.com");
  EXPECT_EQ(s.recipients, std::vector<std::string>{"marie@example.org"});
  EXPECT_NE(s.data.find("Subject: Re: ma commande\r\n"), std::string::npos);
  EXPECT_NE(s.data.find("\r\n.dotted line\r\n"), std::string::npos);  // dot-stuffing undone
  // Nothing but EHLO and STARTTLS before TLS.
  EXPECT_EQ(s.commands[0].substr(0, 4), "EHLO");
  EXPECT_EQ(s.commands[1], "STARTTLS");
}

TEST(SendMailTest, RefusesAServerWithoutStartTlsBeforeSendingAnything) {
  SmtpServer server(kTls + "cert.pem", kTls + "key.pem");
  SmtpBehaviour plain;
  plain.offer_starttls = false;
  server.Set(plain);
  Status sent = SendMail(Mail(server), Loopback());
  EXPECT_EQ(sent.code(), StatusCode::kFailedPrecondition) << sent.ToString();
  EXPECT_NE(sent.message().find("STARTTLS"), std::string::npos);
  const std::vector<testing::SmtpSession> sessions = server.Sessions();
  ASSERT_EQ(sessions.size(), 1u);
  for (const std::string& c : sessions[0].commands) {
    EXPECT_NE(c.substr(0, 4), "AUTH");
    EXPECT_NE(c.substr(0, 4), "MAIL");
  }
}

TEST(SendMailTest, AnUntrustedCertificateIsRefused) {
  SmtpServer server(kTls + "cert.pem", kTls + "key.pem");
  FetchOptions options = Loopback();
  options.ca_file = kTls + "README.md";  // no certificate in it
  Status sent = SendMail(Mail(server), options);
  EXPECT_EQ(sent.code(), StatusCode::kFailedPrecondition) << sent.ToString();
  EXPECT_EQ(server.Accepted(), 0);
}

TEST(SendMailTest, ErrorsSayWhatHappenedWithoutThePassword) {
  SmtpServer server(kTls + "cert.pem", kTls + "key.pem");
  MailCall wrong = Mail(server);
  wrong.password = "not the password 9";
  Status denied = SendMail(wrong, Loopback());
  EXPECT_EQ(denied.code(), StatusCode::kUnauthenticated) << denied.ToString();
  EXPECT_EQ(denied.message().find("not the password"), std::string::npos);

  SmtpBehaviour busy;
  busy.data_reply = 451;
  server.Set(busy);
  SendTrace trace;
  Status later = SendMail(Mail(server), Loopback(), &trace);
  EXPECT_EQ(later.code(), StatusCode::kUnavailable) << later.ToString();
  EXPECT_EQ(trace.reply_code, 451);

  SmtpBehaviour no_mailbox;
  no_mailbox.refused_recipients = {"marie@example.org"};
  server.Set(no_mailbox);
  Status refused = SendMail(Mail(server), Loopback(), &trace);
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable) << refused.ToString();
  EXPECT_EQ(trace.reply_code, 550);
  EXPECT_FALSE(trace.request_sent);
  EXPECT_EQ(server.Accepted(), 0);
}

TEST(SendMailTest, ADroppedConnectionAfterTheMessageIsReportedAsSent) {
  SmtpServer server(kTls + "cert.pem", kTls + "key.pem");
  SmtpBehaviour drop;
  drop.drop_after_data = true;
  server.Set(drop);
  SendTrace trace;
  Status sent = SendMail(Mail(server), Loopback(), &trace);
  EXPECT_FALSE(sent.ok());
  EXPECT_TRUE(trace.request_sent);
  EXPECT_LT(trace.reply_code, 400);
}

TEST(SendMailTest, TheOutboundPolicyGuardsIt) {
  SmtpServer server(kTls + "cert.pem", kTls + "key.pem");
  FetchOptions options = Loopback();
  options.outbound.allow_private.clear();
  EXPECT_EQ(SendMail(Mail(server), options).code(), StatusCode::kPermissionDenied);
  MailCall http = Mail(server);
  http.url = "http://127.0.0.1/";
  EXPECT_EQ(SendMail(http, Loopback()).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(server.Sessions().empty());
}

}  // namespace
}  // namespace ecoute
