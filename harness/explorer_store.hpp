#pragma once
// The explorer's byte strings (internal to harness/explorer_*.cpp): LEB128 numbers for keys, a
// hash over bytes, the interning tables that store each distinct endpoint state, history and
// segment once, and the visited set of world keys (docs/explorer.md "The canonical key and the
// visited set").
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tcpfsm::harness::explore_detail {

inline void put_num(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

inline std::uint64_t hash_bytes(std::string_view s) {
  std::uint64_t h = 0x9E37'79B9'7F4A'7C15ull ^ (s.size() * 0xFF51'AFD7'ED55'8CCDull);
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t k;
    std::memcpy(&k, s.data() + i, 8);
    k *= 0x87C3'7B91'1142'53D5ull;
    k = (k << 31) | (k >> 33);
    h = ((h ^ k) * 0x4CF5'AD43'2745'937Full) + 0x52DC'E729ull;
  }
  std::uint64_t tail = 0;
  if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
  h ^= tail * 0x94D0'49BB'1331'11EBull;
  h ^= h >> 33;
  h *= 0xFF51'AFD7'ED55'8CCDull;
  h ^= h >> 33;
  h *= 0xC4CE'B9FE'1A85'EC53ull;
  h ^= h >> 33;
  return h;
}

// Interns byte strings: equal strings get equal small ids. Strings live in one arena; an
// open-addressing table of ids finds them by hash.
class Interner {
 public:
  Interner() : table_(1u << 10, kEmpty) { starts_.push_back(0); }

  std::uint32_t id(std::string_view s) {
    if ((hashes_.size() + 1) * 2 > table_.size()) grow();
    const std::uint64_t h = hash_bytes(s);
    std::size_t slot = h & (table_.size() - 1);
    while (table_[slot] != kEmpty) {
      const std::uint32_t id = table_[slot];
      if (hashes_[id] == h && text(id) == s) return id;
      slot = (slot + 1) & (table_.size() - 1);
    }
    const auto id = static_cast<std::uint32_t>(hashes_.size());
    arena_.append(s);
    starts_.push_back(arena_.size());
    hashes_.push_back(h);
    table_[slot] = id;
    return id;
  }
  std::size_t size() const { return hashes_.size(); }
  std::uint64_t bytes() const {
    return arena_.capacity() + starts_.capacity() * sizeof(std::uint64_t) +
           hashes_.capacity() * sizeof(std::uint64_t) + table_.capacity() * sizeof(std::uint32_t);
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFF'FFFFu;

  std::string_view text(std::uint32_t id) const {
    return std::string_view(arena_).substr(starts_[id], starts_[id + 1] - starts_[id]);
  }
  void grow() {
    std::vector<std::uint32_t> bigger(table_.size() * 2, kEmpty);
    for (std::uint32_t id = 0; id < hashes_.size(); ++id) {
      std::size_t slot = hashes_[id] & (bigger.size() - 1);
      while (bigger[slot] != kEmpty) slot = (slot + 1) & (bigger.size() - 1);
      bigger[slot] = id;
    }
    table_ = std::move(bigger);
  }

  std::string arena_;
  std::vector<std::uint64_t> starts_;
  std::vector<std::uint64_t> hashes_;
  std::vector<std::uint32_t> table_;
};

// The set of visited states: keys in an arena of 16 MiB chunks (each key prefixed by its length),
// an open-addressing table of state ids, and the key's place per id.
class StateStore {
 public:
  StateStore() : table_(1u << 10, kEmpty) {}

  // The id of `key`, and whether it was new.
  std::pair<std::uint32_t, bool> insert(std::string_view key) {
    if ((places_.size() + 1) * 2 > table_.size()) grow();
    const std::uint64_t h = hash_bytes(key);
    std::size_t slot = h & (table_.size() - 1);
    while (table_[slot] != kEmpty) {
      if (key_of(table_[slot]) == key) return {table_[slot], false};
      slot = (slot + 1) & (table_.size() - 1);
    }
    const auto id = static_cast<std::uint32_t>(places_.size());
    places_.push_back(append(key));
    table_[slot] = id;
    key_bytes_ += key.size();
    return {id, true};
  }
  std::size_t size() const { return places_.size(); }
  std::uint64_t key_bytes() const { return key_bytes_; }
  std::uint64_t bytes() const {
    return allocated_ + table_.size() * sizeof(std::uint32_t) +
           places_.capacity() * sizeof(std::uint64_t);
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFF'FFFFu;
  static constexpr std::size_t kChunk = 16u << 20;
  static constexpr std::size_t kFirstChunk = 64u << 10;

  std::string_view key_of(std::uint32_t id) const {
    const std::uint64_t place = places_[id];
    const char* p = chunks_[place >> 32].get() + (place & 0xFFFF'FFFFu);
    std::uint64_t len = 0;
    int shift = 0;
    for (;;) {
      const auto b = static_cast<unsigned char>(*p++);
      len |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    return {p, len};
  }
  std::uint64_t append(std::string_view key) {
    std::string head;
    put_num(head, key.size());
    const std::size_t need = head.size() + key.size();
    if (chunks_.empty() || used_ + need > chunk_size_) {
      // Chunks grow from 64 KiB to 16 MiB, so that small runs stay small.
      chunk_size_ = chunks_.empty() ? kFirstChunk : std::min(kChunk, chunk_size_ * 2);
      chunk_size_ = std::max(chunk_size_, need);
      chunks_.push_back(std::make_unique<char[]>(chunk_size_));
      allocated_ += chunk_size_;
      used_ = 0;
    }
    char* at = chunks_.back().get() + used_;
    std::memcpy(at, head.data(), head.size());
    std::memcpy(at + head.size(), key.data(), key.size());
    const std::uint64_t place = ((chunks_.size() - 1) << 32) | used_;
    used_ += need;
    return place;
  }
  void grow() {
    std::vector<std::uint32_t> bigger(table_.size() * 2, kEmpty);
    for (std::uint32_t id = 0; id < places_.size(); ++id) {
      std::size_t slot = hash_bytes(key_of(id)) & (bigger.size() - 1);
      while (bigger[slot] != kEmpty) slot = (slot + 1) & (bigger.size() - 1);
      bigger[slot] = id;
    }
    table_ = std::move(bigger);
  }

  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t used_ = 0;
  std::size_t chunk_size_ = 0;
  std::uint64_t allocated_ = 0;
  std::vector<std::uint64_t> places_;
  std::vector<std::uint32_t> table_;
  std::uint64_t key_bytes_ = 0;
};

}  // namespace tcpfsm::harness::explore_detail
