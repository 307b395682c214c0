// status_matchers.h provides GoogleMock matchers for absl::Status and
// absl::StatusOr<T>, since Debian's Abseil (20220623) predates
// absl/status/status_matchers.h.
//
// Example:
//
//   EXPECT_THAT(WriteAll(fd, "x"), IsOk());
//   EXPECT_THAT(ReadFull(fd, buf), IsOkAndHolds(5));
//   EXPECT_THAT(ParseInt("x"), StatusIs(absl::StatusCode::kInvalidArgument,
//                                       "invalid integer 'x'"));
//   EXPECT_THAT(ReadFull(-1, buf), StatusIs(absl::StatusCode::kFailedPrecondition,
//                                           HasSubstr("Bad file descriptor")));
//
// Threads: gMock matchers: any thread.
#ifndef IPCKIT_LIB_TESTING_STATUS_MATCHERS_H_
#define IPCKIT_LIB_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <string>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace ipckit::testing {
namespace internal_status {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

}  // namespace internal_status

// IsOk matches an OK absl::Status or an absl::StatusOr holding a value.
MATCHER(IsOk, "is OK") {
  const absl::Status& s = internal_status::GetStatus(arg);
  if (!s.ok()) *result_listener << "which is " << s;
  return s.ok();
}

// StatusIs(code) matches a status (or StatusOr's status) with `code`.
MATCHER_P(StatusIs, code, "has code " + absl::StatusCodeToString(code)) {
  const absl::Status& s = internal_status::GetStatus(arg);
  *result_listener << "which is " << s;
  return s.code() == code;
}

// StatusIs(code, message) matches `code` and a message that equals `message`,
// or matches it when `message` is a matcher such as HasSubstr("...").
MATCHER_P2(StatusIs, code, message,
           "has code " + absl::StatusCodeToString(code) + " and a message that " +
               ::testing::DescribeMatcher<std::string>(message)) {
  const absl::Status& s = internal_status::GetStatus(arg);
  *result_listener << "which is " << s;
  return s.code() == code &&
         ::testing::Matches(::testing::SafeMatcherCast<std::string>(message))(
             std::string(s.message()));
}

// IsOkAndHolds(m) matches an absl::StatusOr<T> that holds a value matching
// `m` (a value or a matcher).
MATCHER_P(IsOkAndHolds, value_matcher,
          "is OK and holds a value that " +
              ::testing::DescribeMatcher<typename std::decay_t<arg_type>::value_type>(
                  value_matcher)) {
  if (!arg.ok()) {
    *result_listener << "which is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace ipckit::testing

#endif  // IPCKIT_LIB_TESTING_STATUS_MATCHERS_H_
