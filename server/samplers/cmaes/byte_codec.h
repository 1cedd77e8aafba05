// The fields of persisted CMA-ES state as little-endian bytes, so that the
// state one server writes reads the same on every other host.
//
// Thread safety: none; each writer or reader belongs to one caller.
#ifndef KNOB_SERVER_SAMPLERS_CMAES_BYTE_CODEC_H_
#define KNOB_SERVER_SAMPLERS_CMAES_BYTE_CODEC_H_

#include <cstdint>
#include <string>
#include <utility>

#include "Eigen/Core"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace knob::cmaes {

// Appends fields to a byte string, each in a fixed little-endian layout.
class ByteWriter {
 public:
  void U32(uint32_t value);
  void U64(uint64_t value);
  void I64(int64_t value) { U64(static_cast<uint64_t>(value)); }
  void F64(double value);
  // The values only; the reader must know how many to expect.
  void F64s(absl::Span<const double> values);
  void F64s(const Eigen::VectorXd& values) {
    F64s(
        absl::MakeConstSpan(values.data(), static_cast<size_t>(values.size())));
  }
  void Raw(absl::string_view bytes) { out_.append(bytes.data(), bytes.size()); }

  std::string Finish() && { return std::move(out_); }

 private:
  std::string out_;
};

// Reads what a ByteWriter wrote, in the same order. Reading past the end
// yields zeros and marks the reader failed, so a parser can read every
// field and check ok() once, never allocating more than the input holds.
class ByteReader {
 public:
  explicit ByteReader(absl::string_view bytes) : rest_(bytes) {}

  uint32_t U32();
  uint64_t U64();
  int64_t I64() { return static_cast<int64_t>(U64()); }
  double F64();
  // `count` doubles; an empty vector (and failure) when fewer remain.
  Eigen::VectorXd F64s(uint64_t count);
  // Whether the next bytes are `expected`; consumes them if so.
  bool Expect(absl::string_view expected);

  // No read ran past the end.
  bool ok() const { return ok_; }
  // ok() and every byte consumed.
  bool Done() const { return ok_ && rest_.empty(); }
  size_t remaining() const { return rest_.size(); }

 private:
  // Consumes `n` bytes, or fails and returns an empty view.
  absl::string_view Take(size_t n);

  absl::string_view rest_;
  bool ok_ = true;
};

}  // namespace knob::cmaes

#endif  // KNOB_SERVER_SAMPLERS_CMAES_BYTE_CODEC_H_
