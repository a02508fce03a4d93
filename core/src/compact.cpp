// The compact model: reading models/gem-compact.bin (layout in scripts/train_lib/compact/artefact.py) and
// scoring. Features and hashing match scripts/train_lib/compact/features.py exactly.
#include "gem/compact.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>

namespace gem {
namespace {

constexpr std::string_view kFile = "gem-compact.bin";
constexpr std::string_view kMagic = "GEMC";
constexpr std::uint32_t kFormat = 1;
constexpr std::array<const char*, 4> kHeads = {"intent", "product", "aspect", "lang"};
constexpr std::size_t kFingerprintBytes = 32;

// Sequential little-endian reads that say what was expected where when the bytes run out.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  std::string_view take(std::size_t n, const std::string& what) {
    if (bytes_.size() - at_ < n)
      throw Error(std::string(kFile) + ": expected " + what + " (" + std::to_string(n) + " bytes) at offset " +
                  std::to_string(at_) + ", but the file ends at " + std::to_string(bytes_.size()));
    const auto out = bytes_.substr(at_, n);
    at_ += n;
    return out;
  }
  std::uint32_t u32(const std::string& what) { return le32(take(4, what).data()); }
  float f32(const std::string& what) { return to_float(u32(what)); }
  std::vector<float> f32s(std::size_t n, const std::string& what) {
    const auto block = take(4 * n, what);
    std::vector<float> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = to_float(le32(block.data() + 4 * i));
    return out;
  }
  std::size_t offset() const { return at_; }
  std::size_t size() const { return bytes_.size(); }

 private:
  static std::uint32_t le32(const char* p) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
  }
  static float to_float(std::uint32_t v) {
    float f;
    std::memcpy(&f, &v, sizeof f);
    return f;
  }
  std::string_view bytes_;
  std::size_t at_ = 0;
};

std::string at(std::size_t offset) { return " at offset " + std::to_string(offset); }

std::uint32_t fmix32(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x85EBCA6Bu;
  x ^= x >> 13;
  x *= 0xC2B2AE35u;
  x ^= x >> 16;
  return x;
}

float max_of(const std::vector<float>& v) { return *std::max_element(v.begin(), v.end()); }

}  // namespace

CompactModel::CompactModel(std::string_view bytes) {
  Reader r(bytes);
  if (r.take(4, "the magic \"GEMC\"") != kMagic)
    throw Error(std::string(kFile) + ": expected the magic \"GEMC\"" + at(0) + ": not a compact model");
  if (const auto format = r.u32("the format version"); format != kFormat)
    throw Error(std::string(kFile) + ": format version " + std::to_string(format) + at(4) + ", this core reads " +
                std::to_string(kFormat) + ": retrain with scripts/train-compact");
  vocab_size_ = r.u32("the vocabulary size");
  pair_buckets_ = r.u32("the pair bucket count");
  hash_seed_ = r.u32("the hash seed");
  product_question_ = r.u32("the product question's intent index");
  if (vocab_size_ == 0 || pair_buckets_ == 0)
    throw Error(std::string(kFile) + ": expected a vocabulary and pair buckets, found " + std::to_string(vocab_size_) +
                " pieces and " + std::to_string(pair_buckets_) + " buckets" + at(8));
  heads_.resize(kHeads.size());
  for (std::size_t h = 0; h < kHeads.size(); ++h) {
    const auto offset = r.offset();
    heads_[h].labels = r.u32(std::string("the label count of ") + kHeads[h]);
    if (heads_[h].labels == 0 || heads_[h].labels > 4096)
      throw Error(std::string(kFile) + ": expected 1 to 4096 labels for " + kHeads[h] + ", found " +
                  std::to_string(heads_[h].labels) + at(offset));
  }
  if (product_question_ >= heads_[0].labels)
    throw Error(std::string(kFile) + ": product question index " + std::to_string(product_question_) +
                " outside the " + std::to_string(heads_[0].labels) + " intent labels" + at(20));
  std::array<float*, 4> t = {&thresholds_.intent, &thresholds_.product, &thresholds_.aspect, &thresholds_.lang};
  for (std::size_t h = 0; h < kHeads.size(); ++h) *t[h] = r.f32(std::string("the threshold of ") + kHeads[h]);
  r.take(kFingerprintBytes, "the fingerprint");
  const std::size_t features = std::size_t{vocab_size_} + pair_buckets_;
  for (std::size_t h = 0; h < kHeads.size(); ++h) {
    auto& head = heads_[h];
    const std::string name = kHeads[h];
    head.bias = r.f32s(head.labels, "the " + name + " biases");
    head.scale = r.f32s(head.labels, "the " + name + " scales");
    const auto w = r.take(features * head.labels, "the " + name + " weights (" + std::to_string(features) +
                                                      " features x " + std::to_string(head.labels) + " labels)");
    head.weights.assign(w.begin(), w.end());
  }
  if (r.offset() != r.size())
    throw Error(std::string(kFile) + ": expected the end of the file" + at(r.offset()) + ", found " +
                std::to_string(r.size() - r.offset()) + " more bytes");
}

Scores CompactModel::score(const std::vector<std::int32_t>& ids) const {
  // Pieces, then pairs of neighbours with a start mark (vocab_size) and an end mark (vocab_size + 1).
  std::vector<std::uint32_t> features;
  features.reserve(2 * ids.size() + 1);
  std::uint32_t prev = vocab_size_;
  for (const auto id : ids) {
    if (id < 0 || static_cast<std::uint32_t>(id) >= vocab_size_)
      throw Error("compact model: token id " + std::to_string(id) + " outside its vocabulary of " +
                  std::to_string(vocab_size_) + " pieces (gem-compact.bin and gem.spm are from different runs)");
    features.push_back(static_cast<std::uint32_t>(id));
  }
  for (std::size_t i = 0; i <= ids.size(); ++i) {
    const std::uint32_t cur = i < ids.size() ? static_cast<std::uint32_t>(ids[i]) : vocab_size_ + 1;
    features.push_back(vocab_size_ + fmix32((prev * 0x9E3779B1u) ^ cur ^ hash_seed_) % pair_buckets_);
    prev = cur;
  }

  Scores s;
  std::array<std::vector<float>*, 4> out = {&s.intent, &s.product, &s.aspect, &s.lang};
  for (std::size_t h = 0; h < heads_.size(); ++h) {
    const auto& head = heads_[h];
    std::vector<std::int32_t> sum(head.labels, 0);  // exact: int8 weights summed as integers
    for (const auto f : features) {
      const auto* row = head.weights.data() + std::size_t{f} * head.labels;
      for (std::size_t l = 0; l < head.labels; ++l) sum[l] += row[l];
    }
    auto& p = *out[h];
    p.resize(head.labels);
    for (std::size_t l = 0; l < head.labels; ++l) p[l] = static_cast<float>(sum[l]) * head.scale[l] + head.bias[l];
    const float top = max_of(p);
    float total = 0;
    for (auto& x : p) total += (x = std::exp(x - top));
    for (auto& x : p) x /= total;
  }
  return s;
}

bool CompactModel::sure(const Scores& s) const {
  const std::array<const std::vector<float>*, 4> heads = {&s.intent, &s.product, &s.aspect, &s.lang};
  for (std::size_t h = 0; h < heads.size(); ++h)
    if (heads[h]->size() != heads_[h].labels)
      throw Error(std::string("compact model: expected ") + std::to_string(heads_[h].labels) + " " + kHeads[h] +
                  " scores, got " + std::to_string(heads[h]->size()));
  if (max_of(s.intent) < thresholds_.intent || max_of(s.lang) < thresholds_.lang) return false;
  const auto intent = static_cast<std::size_t>(std::max_element(s.intent.begin(), s.intent.end()) - s.intent.begin());
  if (intent != product_question_) return true;
  return max_of(s.product) >= thresholds_.product && max_of(s.aspect) >= thresholds_.aspect;
}

}  // namespace gem
