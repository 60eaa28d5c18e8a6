// Errors as values: Status says whether an operation succeeded and, if not, why;
// Result<T> holds either a T or the Status that explains its absence.
//
// Messages say what and where ("brands.toml:12: alias is empty"), so that a front end can
// print them as they are. Codes follow Abseil's canonical ones; cli/ maps each to one exit
// code and server/ to one HTTP status.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ecoute {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kUnauthenticated,
  kFailedPrecondition,
  kResourceExhausted,
  kUnavailable,
  kDeadlineExceeded,
  kDataLoss,
  kInternal,
};

// The canonical name of a code, as "invalid_argument".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: brands.toml:12: alias is empty", or "ok".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status NotFoundError(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
inline Status DataLossError(std::string m) { return Status(StatusCode::kDataLoss, std::move(m)); }
inline Status InternalError(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }
inline Status ResourceExhaustedError(std::string m) {
  return Status(StatusCode::kResourceExhausted, std::move(m));
}
inline Status PermissionDeniedError(std::string m) {
  return Status(StatusCode::kPermissionDenied, std::move(m));
}
inline Status UnavailableError(std::string m) {
  return Status(StatusCode::kUnavailable, std::move(m));
}
inline Status DeadlineExceededError(std::string m) {
  return Status(StatusCode::kDeadlineExceeded, std::move(m));
}

// Either a value or a non-OK Status. Names follow std::expected so that it can become an
// alias of it under C++23.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : state_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(state_).ok());
  }

  bool has_value() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  // The error; OK when a value is present.
  Status error() const { return has_value() ? Status() : std::get<Status>(state_); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace ecoute

#define ECOUTE_STATUS_CONCAT_INNER(a, b) a##b
#define ECOUTE_STATUS_CONCAT(a, b) ECOUTE_STATUS_CONCAT_INNER(a, b)

#define ECOUTE_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::ecoute::Status ecoute_status_ = (expr);        \
    if (!ecoute_status_.ok()) return ecoute_status_; \
  } while (false)

// `lhs` is a declaration or an lvalue and `result` a fresh name, neither can take the
// parentheses bugprone-macro-parentheses asks for.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ECOUTE_ASSIGN_OR_RETURN(lhs, expr) \
  ECOUTE_ASSIGN_OR_RETURN_IMPL(ECOUTE_STATUS_CONCAT(ecoute_result_, __LINE__), lhs, expr)
#define ECOUTE_ASSIGN_OR_RETURN_IMPL(result, lhs, expr) \
  auto result = (expr);                                 \
  if (!result.has_value()) return result.error();       \
  lhs = std::move(result).value()
// NOLINTEND(bugprone-macro-parentheses)
