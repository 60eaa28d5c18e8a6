// For tests only: a small SMTP server on 127.0.0.1 (an ephemeral port) that speaks what
// RFC 5321 and RFC 3207 say a submission server speaks: a greeting, EHLO with its
// extensions (STARTTLS before TLS, AUTH PLAIN after it), STARTTLS with the test
// certificate of data/test/tls, AUTH PLAIN (RFC 4616), MAIL FROM, RCPT TO, DATA with its
// dot-stuffed end, QUIT. One connection at a time. Each session is recorded so that tests
// check the exchange's shape; `behaviour` makes it fail as real servers do.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/mutex.h"

namespace ecoute::testing {

struct SmtpBehaviour {
  bool offer_starttls = true;
  std::string user = "care@example.com";
  std::string password = "mail password 1";
  int data_reply = 250;          // the reply to the message's end
  bool drop_after_data = false;  // close without replying once the message is in
  int delay_after_data_ms = 0;   // wait this long before replying to it
  std::set<std::string> refused_recipients;
};

struct SmtpSession {
  std::vector<std::string> commands;  // as received, AUTH's credentials included
  bool tls = false;                   // STARTTLS was done
  bool ehlo_after_tls = false;        // RFC 3207: the client greets again after it
  bool authenticated = false;
  std::string mail_from;
  std::vector<std::string> recipients;
  std::string data;  // the message, dot-stuffing undone, without the final "."
  bool accepted = false;
};

class SmtpServer {
 public:
  SmtpServer(const std::string& cert_file, const std::string& key_file) {
    // OpenSSL writes with write(2): a client that hangs up (a refused certificate) must not
    // kill the test with SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);
    ctx_ = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate_file(ctx_, cert_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx_, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      std::fprintf(stderr, "testing::SmtpServer: cannot load %s\n", cert_file.c_str());
      std::abort();
    }
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listen_fd_, 16) != 0) {
      std::perror("testing::SmtpServer: cannot listen on 127.0.0.1");
      std::abort();
    }
    socklen_t length = sizeof address;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~SmtpServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
    SSL_CTX_free(ctx_);
  }
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  std::string Url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  void Set(const SmtpBehaviour& behaviour) ECOUTE_EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    behaviour_ = behaviour;
  }
  // Waits for the session in progress, if any, to end (the client may still be closing).
  std::vector<SmtpSession> Sessions() ECOUTE_EXCLUDES(mutex_) {
    for (int i = 0; i < 600 && busy_.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    MutexLock lock(mutex_);
    return sessions_;
  }
  // Messages accepted (250 after DATA), over every session.
  int Accepted() ECOUTE_EXCLUDES(mutex_) {
    int n = 0;
    for (const SmtpSession& s : Sessions()) n += s.accepted ? 1 : 0;
    return n;
  }

 private:
  struct Connection {
    int fd = -1;
    SSL* ssl = nullptr;
    std::string buffer;
    bool Send(const std::string& text) {
      if (ssl != nullptr) return SSL_write(ssl, text.data(), static_cast<int>(text.size())) > 0;
      return ::send(fd, text.data(), text.size(), MSG_NOSIGNAL) ==
             static_cast<ssize_t>(text.size());
    }
    // One line without its CRLF; false on end of input or after 5 s.
    bool ReadLine(std::string& line) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (buffer.find("\r\n") == std::string::npos) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        char chunk[4096];
        int n = 0;
        if (ssl != nullptr && SSL_pending(ssl) > 0) {
          n = SSL_read(ssl, chunk, sizeof chunk);
        } else {
          pollfd p{fd, POLLIN, 0};
          if (::poll(&p, 1, 20) <= 0) continue;
          n = ssl != nullptr ? SSL_read(ssl, chunk, sizeof chunk)
                             : static_cast<int>(::recv(fd, chunk, sizeof chunk, 0));
        }
        if (n <= 0) return false;
        buffer.append(chunk, static_cast<size_t>(n));
      }
      const size_t end = buffer.find("\r\n");
      line = buffer.substr(0, end);
      buffer.erase(0, end + 2);
      return true;
    }
  };

  void Serve() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      busy_ = true;
      Connection connection;
      connection.fd = fd;
      SmtpSession session;
      SmtpBehaviour behaviour;
      {
        MutexLock lock(mutex_);
        behaviour = behaviour_;
      }
      Talk(connection, session, behaviour);
      if (connection.ssl != nullptr) SSL_free(connection.ssl);
      ::close(fd);
      {
        MutexLock lock(mutex_);
        sessions_.push_back(std::move(session));
      }
      busy_ = false;
    }
  }

  static std::string Upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }
  static std::string Between(const std::string& s, char open, char close) {
    const size_t a = s.find(open);
    const size_t b = s.find(close, a == std::string::npos ? 0 : a);
    return a == std::string::npos || b == std::string::npos ? "" : s.substr(a + 1, b - a - 1);
  }
  static bool CheckPlain(const std::string& encoded, const SmtpBehaviour& b) {
    std::string decoded(encoded.size(), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                  reinterpret_cast<const unsigned char*>(encoded.data()),
                                  static_cast<int>(encoded.size()));
    if (n < 0) return false;
    decoded.resize(static_cast<size_t>(n));
    while (!decoded.empty() && decoded.back() == '\0') decoded.pop_back();  // base64 padding
    return decoded == std::string(1, '\0') + b.user + std::string(1, '\0') + b.password;
  }

  void Talk(Connection& c, SmtpSession& s, const SmtpBehaviour& b) {
    if (!c.Send("220 smtp.test ESMTP ready\r\n")) return;
    std::string line;
    while (c.ReadLine(line)) {
      s.commands.push_back(line);
      const std::string verb = Upper(line.substr(0, line.find(' ')));
      bool ok = true;
      if (verb == "EHLO") {
        if (s.tls) s.ehlo_after_tls = true;
        ok = c.Send(!s.tls && b.offer_starttls ? "250-smtp.test\r\n250 STARTTLS\r\n"
                                               : "250-smtp.test\r\n250 AUTH PLAIN\r\n");
      } else if (verb == "STARTTLS" && b.offer_starttls && !s.tls) {
        if (!c.Send("220 2.0.0 go ahead\r\n")) return;
        c.ssl = SSL_new(ctx_);
        SSL_set_fd(c.ssl, c.fd);
        if (SSL_accept(c.ssl) != 1) return;
        s.tls = true;
        c.buffer.clear();
      } else if (verb == "AUTH") {
        std::string response = line.size() > 11 ? line.substr(11) : "";  // "AUTH PLAIN x"
        if (response.empty()) {
          if (!c.Send("334 \r\n") || !c.ReadLine(response)) return;
        }
        s.authenticated = CheckPlain(response, b);
        ok = c.Send(s.authenticated ? "235 2.7.0 authenticated\r\n"
                                    : "535 5.7.8 authentication credentials invalid\r\n");
      } else if (verb == "MAIL") {
        s.mail_from = Between(line, '<', '>');
        ok = c.Send("250 2.1.0 ok\r\n");
      } else if (verb == "RCPT") {
        const std::string to = Between(line, '<', '>');
        const bool refused = b.refused_recipients.count(to) > 0;
        if (!refused) s.recipients.push_back(to);
        ok = c.Send(refused ? "550 5.1.1 no such mailbox\r\n" : "250 2.1.5 ok\r\n");
      } else if (verb == "DATA") {
        if (!c.Send("354 end with <CRLF>.<CRLF>\r\n")) return;
        std::string data_line;
        while (c.ReadLine(data_line) && data_line != ".") {
          if (data_line.starts_with(".")) data_line.erase(0, 1);
          s.data += data_line + "\r\n";
        }
        if (b.drop_after_data) return;
        if (b.delay_after_data_ms > 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(b.delay_after_data_ms));
        }
        s.accepted = b.data_reply == 250;
        ok = c.Send(std::to_string(b.data_reply) +
                    (s.accepted ? " 2.0.0 queued\r\n" : " try again later\r\n"));
      } else if (verb == "QUIT") {
        c.Send("221 2.0.0 bye\r\n");
        return;
      } else {
        ok = c.Send("500 5.5.2 unknown command\r\n");
      }
      if (!ok) return;
    }
  }

  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> busy_{false};  // a connection is being served
  std::thread thread_;
  Mutex mutex_;
  SmtpBehaviour behaviour_ ECOUTE_GUARDED_BY(mutex_);
  std::vector<SmtpSession> sessions_ ECOUTE_GUARDED_BY(mutex_);
};

}  // namespace ecoute::testing
