#include "crm/retention/key_index.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "crm/retention/errors.hpp"

namespace crm::retention {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{1} << 20;
constexpr std::size_t kMinSlots = 16;

std::uint64_t load_bytes(const char* p, std::size_t n) noexcept {
  std::uint64_t word = 0;
  std::memcpy(&word, p, n);
  return word;
}

std::uint32_t record_length(const char* record) noexcept {
  std::uint32_t length = 0;
  std::memcpy(&length, record, sizeof length);
  return length;
}

std::string_view record_key(const char* record) noexcept {
  return {record + sizeof(std::uint32_t), record_length(record)};
}

}  // namespace

std::uint64_t hash_key(std::string_view key) noexcept {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;
  const char* p = key.data();
  std::size_t n = key.size();
  std::uint64_t h = static_cast<std::uint64_t>(n) * kMul;
  while (n >= 8) {
    h = (h ^ load_bytes(p, 8)) * kMul;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    h = (h ^ load_bytes(p, n)) * kMul;
    h ^= h >> 29;
  }
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

KeyIndex::KeyIndex(HashFunction hash) : hash_(hash) {}

std::int32_t KeyIndex::find(std::string_view key) const noexcept {
  if (slots_.empty()) return -1;
  const auto hash = static_cast<std::uint32_t>(hash_(key));
  for (std::size_t i = probe_start(hash);; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.key == nullptr) return -1;
    if (slot.hash == hash && record_key(slot.key) == key) return slot.index;
  }
}

std::int32_t KeyIndex::intern(std::string_view key) {
  // Keep the load at most 1/2 so that probe runs stay short.
  if (2 * (keys_.size() + 1) > slots_.size()) rehash(std::max(kMinSlots, 2 * slots_.size()));
  const auto hash = static_cast<std::uint32_t>(hash_(key));
  std::size_t i = probe_start(hash);
  for (;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.key == nullptr) break;
    if (slot.hash == hash && record_key(slot.key) == key) return slot.index;
  }
  if (keys_.size() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw InvalidInput("KeyIndex: more than 2^31 - 1 keys");
  }
  const auto index = static_cast<std::int32_t>(keys_.size());
  const char* record = store(key);
  keys_.push_back(record);
  slots_[i] = Slot{record, hash, index};
  return index;
}

std::string_view KeyIndex::key(std::int32_t index) const noexcept {
  return record_key(keys_[static_cast<std::size_t>(index)]);
}

void KeyIndex::reserve(std::size_t keys) {
  keys_.reserve(keys);
  std::size_t capacity = std::max(kMinSlots, slots_.size());
  while (capacity < 2 * keys) capacity *= 2;
  if (capacity > slots_.size()) rehash(capacity);
}

void KeyIndex::clear() noexcept {
  // Swapping with empty vectors releases the memory (clear() would keep it).
  std::vector<Slot>().swap(slots_);
  mask_ = 0;
  std::vector<const char*>().swap(keys_);
  std::vector<std::unique_ptr<char[]>>().swap(chunks_);
  chunk_free_ = nullptr;
  chunk_left_ = 0;
}

const char* KeyIndex::store(std::string_view key) {
  if (key.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw InvalidInput("KeyIndex: a key of " + std::to_string(key.size()) +
                       " bytes (at most 2^32 - 1)");
  }
  const std::size_t bytes = sizeof(std::uint32_t) + key.size();
  if (bytes > chunk_left_) {
    // A key longer than a chunk gets a chunk of its own size.
    const std::size_t size = std::max(kChunkBytes, bytes);
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    chunk_free_ = chunks_.back().get();
    chunk_left_ = size;
  }
  char* record = chunk_free_;
  const auto length = static_cast<std::uint32_t>(key.size());
  std::memcpy(record, &length, sizeof length);
  if (!key.empty()) std::memcpy(record + sizeof length, key.data(), key.size());
  chunk_free_ += bytes;
  chunk_left_ -= bytes;
  return record;
}

void KeyIndex::rehash(std::size_t capacity) {
  std::vector<Slot> old(capacity);
  old.swap(slots_);
  mask_ = capacity - 1;
  for (const Slot& slot : old) {
    if (slot.key == nullptr) continue;
    std::size_t i = probe_start(slot.hash);
    while (slots_[i].key != nullptr) i = (i + 1) & mask_;
    slots_[i] = slot;
  }
}

}  // namespace crm::retention
