// The secrets of reply accounts (tokens, app passwords, SMTP passwords, webhook secrets),
// sealed with libsodium's crypto_secretbox (XSalsa20-Poly1305) under a key kept in a file
// outside the database: whoever copies the database alone gets no secret. The key file is
// 32 random bytes, made (mode 0600) when missing; losing it loses the secrets, which must
// then be set again (docs/REPLIES.md).
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "ecoute/status.h"

namespace ecoute::reply {

// Where the key is when nothing says: beside the database, "<db>.key".
std::string DefaultKeyFile(const std::string& db_path);

class SecretVault {
 public:
  // Reads the key of `key_file`, or makes one there (0600, its folder must exist) when the
  // file does not exist. kFailedPrecondition for a file that is not a key (wrong size), or
  // that others than its owner may read or write (the message says `chmod 600 FILE`);
  // kUnavailable when it cannot be read or written.
  static Result<SecretVault> Open(const std::string& key_file);
  // A vault over a key given as is (tests).
  static SecretVault FromKey(const std::array<unsigned char, 32>& key);

  // "sb1:" and the base64 of a random nonce and the sealed text.
  std::string Seal(std::string_view plaintext) const;
  // The text Seal sealed. kFailedPrecondition when it was sealed with another key (or is
  // damaged): the message says so, and that the secrets must be set again or the right key
  // file given; it never shows the sealed text.
  Result<std::string> Unseal(std::string_view sealed) const;

 private:
  std::array<unsigned char, 32> key_{};
};

}  // namespace ecoute::reply
