#include "reply/vault.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ecoute::reply {
namespace {

constexpr std::string_view kPrefix = "sb1:";

Status Unavailable(const std::string& file, const std::string& what) {
  return UnavailableError(file + ": cannot " + what + " the secret key file (" +
                          std::strerror(errno) + ")");
}

Status MakeKeyFile(const std::string& file, std::array<unsigned char, 32>& key) {
  randombytes_buf(key.data(), key.size());
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Unavailable(file, "create");
  const ssize_t n = ::write(fd, key.data(), key.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (n != static_cast<ssize_t>(key.size()) || !synced) return Unavailable(file, "write");
  return OkStatus();
}

}  // namespace

std::string DefaultKeyFile(const std::string& db_path) { return db_path + ".key"; }

SecretVault SecretVault::FromKey(const std::array<unsigned char, 32>& key) {
  SecretVault vault;
  vault.key_ = key;
  return vault;
}

Result<SecretVault> SecretVault::Open(const std::string& key_file) {
  if (sodium_init() < 0) return InternalError("libsodium could not start");
  SecretVault vault;
  struct stat info {};
  if (::stat(key_file.c_str(), &info) != 0) {
    if (errno != ENOENT) return Unavailable(key_file, "read");
    ECOUTE_RETURN_IF_ERROR(MakeKeyFile(key_file, vault.key_));
    return vault;
  }
  if ((info.st_mode & 077) != 0) {
    return Status(StatusCode::kFailedPrecondition,
                  key_file +
                      ": the secret key file may be read by others than its owner: run "
                      "`chmod 600 " +
                      key_file + "`");
  }
  if (info.st_size != static_cast<off_t>(vault.key_.size())) {
    return Status(StatusCode::kFailedPrecondition,
                  key_file +
                      ": not a secret key file (32 bytes expected); give the right "
                      "file, or move it away to have a new key made");
  }
  const int fd = ::open(key_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Unavailable(key_file, "read");
  const ssize_t n = ::read(fd, vault.key_.data(), vault.key_.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(vault.key_.size())) return Unavailable(key_file, "read");
  return vault;
}

std::string SecretVault::Seal(std::string_view plaintext) const {
  std::vector<unsigned char> box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                 plaintext.size());
  unsigned char* nonce = box.data();
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(box.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, key_.data());
  std::string out(sodium_base64_ENCODED_LEN(box.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), box.data(), box.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return std::string(kPrefix) + out;
}

Result<std::string> SecretVault::Unseal(std::string_view sealed) const {
  const Status wrong(StatusCode::kFailedPrecondition,
                     "the account's secrets cannot be opened with this secret key file (another "
                     "key, or damaged): give the key file they were sealed with, or set the "
                     "secrets again");
  if (!sealed.starts_with(kPrefix)) return wrong;
  sealed.remove_prefix(kPrefix.size());
  std::vector<unsigned char> box(sealed.size());
  size_t length = 0;
  if (sodium_base642bin(box.data(), box.size(), sealed.data(), sealed.size(), nullptr, &length,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      length < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return wrong;
  }
  std::string plain(length - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(
          reinterpret_cast<unsigned char*>(plain.data()), box.data() + crypto_secretbox_NONCEBYTES,
          length - crypto_secretbox_NONCEBYTES, box.data(), key_.data()) != 0) {
    return wrong;
  }
  return plain;
}

}  // namespace ecoute::reply
