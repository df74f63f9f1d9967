// Interning of string keys as dense indices 0, 1, 2, ... in order of first
// appearance: the hot path of reading millions of keyed purchases.
//
// A node-based std::unordered_map costs an allocation per key and two or
// three dependent cache misses per lookup. KeyIndex stores each key once, in
// an arena of large chunks (one allocation per chunk, not per key), and finds
// it through an open-addressing table of 16-byte slots (the key's address,
// its 32-bit hash and its index), probed linearly: a lookup touches one slot
// and, when the hashes agree, the key's bytes. The hashes are kept in the
// slots so that growing the table never rereads a key.

#ifndef CRM_RETENTION_KEY_INDEX_HPP_
#define CRM_RETENTION_KEY_INDEX_HPP_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace crm::retention {

// The default key hash: 8 bytes at a time, multiply-xorshift mixing and
// MurmurHash3's 64-bit finaliser, so every output bit depends on every byte.
std::uint64_t hash_key(std::string_view key) noexcept;

class KeyIndex {
 public:
  // A hash function of keys; only its low 32 bits are used. Replaceable so
  // that tests can force collisions.
  using HashFunction = std::uint64_t (*)(std::string_view) noexcept;

  explicit KeyIndex(HashFunction hash = hash_key);

  // Returns the index of `key`, adding it with the next index if new. Throws
  // InvalidInput if the key would be the 2^31-th (indices are int32) or is
  // longer than 2^32 - 1 bytes.
  std::int32_t intern(std::string_view key);

  // Returns the index of `key`, or -1 if it was never interned.
  std::int32_t find(std::string_view key) const noexcept;

  // The key with index `index` (which must be in [0, size())); the view stays
  // valid until clear() or destruction.
  std::string_view key(std::int32_t index) const noexcept;

  std::size_t size() const noexcept { return keys_.size(); }

  // Makes room for `keys` keys without growing the table.
  void reserve(std::size_t keys);

  // Forgets every key and releases the memory.
  void clear() noexcept;

 private:
  struct Slot {
    const char* key = nullptr;  // length-prefixed record in the arena; null: empty slot
    std::uint32_t hash = 0;
    std::int32_t index = -1;
  };

  const char* store(std::string_view key);
  void rehash(std::size_t capacity);
  std::size_t probe_start(std::uint32_t hash) const noexcept { return hash & mask_; }

  HashFunction hash_;
  std::vector<Slot> slots_;        // size is 0 or a power of two
  std::size_t mask_ = 0;           // slots_.size() - 1
  std::vector<const char*> keys_;  // record of each index, in index order
  std::vector<std::unique_ptr<char[]>> chunks_;
  char* chunk_free_ = nullptr;  // next free byte of the last chunk
  std::size_t chunk_left_ = 0;  // bytes left in it
};

}  // namespace crm::retention

#endif  // CRM_RETENTION_KEY_INDEX_HPP_
