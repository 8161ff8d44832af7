#pragma once
// The optimized implementation: a table of N TCP connections that share one Profile and one
// Mutant setting, driven one event at a time or a batch of arriving segments at a time.
//
// It is written independently of the reference endpoint and judged by it: for every event it
// must produce the same state, segments, user notices, TCB and timers. What differs is the
// layout and the control flow:
//   * each connection is a 48-byte hot record (hot_record.hpp) plus side tables (side_tables.hpp);
//   * a segment is reduced to a 4-bit class and the action comes from a dense (state, class)
//     table (dispatch.hpp); calls use a (call, state) table;
//   * the commonest segment (ESTABLISHED, in order, ACK of nothing new, nothing queued) takes
//     a fast path that needs no Engine and, unless the peer's window is zero, touches no
//     side table;
//   * the per-segment path neither allocates nor makes a virtual call; outputs go to an
//     OutputBuffer whose storage is allocated once, up front;
//   * segments_arrive() takes a batch of (connection, segment) pairs and prefetches the
//     records of the pairs ahead, so that their cache misses overlap.
//
// Time: the table has one virtual clock. A step at an earlier time than the clock is taken at
// the clock's time; a timer that fires moves the clock to its deadline. With one connection
// per table this is exactly the reference endpoint's clock.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/event.hpp"
#include "core/profile.hpp"
#include "core/rules.hpp"
#include "core/segment.hpp"
#include "core/state.hpp"
#include "core/tcb_snapshot.hpp"
#include "core/user_result.hpp"
#include "fast/dispatch.hpp"
#include "fast/hot_record.hpp"
#include "fast/huge_page_allocator.hpp"
#include "fast/mutant.hpp"
#include "fast/side_tables.hpp"

namespace tcpfsm::fast {

using ConnId = std::uint32_t;

// Where the segments and notices of steps go. Its storage is allocated when it is made (sized
// from the profile: the longest burst one step can send) and the counts are kept apart from
// it, so that appending is a store and an increment and never allocates in steady state; only
// an extraordinary step (thousands of waiting RECEIVE calls failing at once) can make it grow.
class OutputBuffer {
 public:
  explicit OutputBuffer(std::size_t segment_capacity = 256, std::size_t notice_capacity = 64);
  static OutputBuffer for_profile(const Profile& p);

  void clear() {
    segment_count_ = 0;
    notice_count_ = 0;
  }
  void push(const Segment& s) {
    if (segment_count_ == segment_room_) [[unlikely]]
      grow_segments();
    segments_[segment_count_++] = s;
  }
  void push(Notice n) {
    if (notice_count_ == notice_room_) [[unlikely]]
      grow_notices();
    notices_[notice_count_++] = n;
  }

  std::span<const Segment> segments() const { return {segments_.data(), segment_count_}; }
  std::span<const Notice> notices() const { return {notices_.data(), notice_count_}; }
  std::size_t segment_count() const { return segment_count_; }
  std::size_t notice_count() const { return notice_count_; }
  std::size_t segment_capacity() const { return segments_.size(); }

 private:
  // The counts are 32 bits; a buffer never holds more than this between two clear() calls.
  static constexpr std::size_t kMaxCapacity = std::size_t{1} << 31;
  void grow_segments();
  void grow_notices();

  std::vector<Segment> segments_;  // all slots constructed; the first segment_count_ are used
  std::vector<Notice> notices_;
  std::uint32_t segment_count_ = 0;
  std::uint32_t notice_count_ = 0;
  std::uint32_t segment_room_ = 0;  // segments_.size(), kept where push() needs no division
  std::uint32_t notice_room_ = 0;
};

// What one step did; its segments and notices are ranges of the OutputBuffer it wrote to.
struct StepResult {
  State from = State::Closed;
  State to = State::Closed;
  Rule rule = Rule::None;
  std::uint32_t first_segment = 0, segment_count = 0;
  std::uint32_t first_notice = 0, notice_count = 0;

  std::span<const Segment> segments(const OutputBuffer& out) const {
    return out.segments().subspan(first_segment, segment_count);
  }
  std::span<const Notice> notices(const OutputBuffer& out) const {
    return out.notices().subspan(first_notice, notice_count);
  }
};

// One element of a batch.
struct Arrival {
  ConnId conn = 0;
  Segment seg{};
};

class ConnectionTable {
 public:
  // `connections` connections, all CLOSED; each one's first incarnation takes `first_iss`
  // unless set_next_iss says otherwise.
  ConnectionTable(std::size_t connections, Profile profile, Mutant mutant = Mutant::None,
                  SeqNum first_iss = SeqNum(1'000'000));

  std::size_t size() const { return hot_.size(); }
  // What every connection costs in the fixed arrays: the hot record, its timers, the cold
  // record and the next ISS (pool nodes come on top while text is held or RECEIVEs wait).
  static constexpr std::size_t kBytesPerConnection =
      sizeof(HotRecord) + sizeof(TimerRecord) + sizeof(ColdRecord) + sizeof(std::uint32_t);
  const Profile& profile() const { return profile_; }
  Mutant mutant() const { return mutant_; }
  Millis now() const { return now_; }

  // The ISS the connection's next incarnation takes (RFC 9293 §3.4.1: an input here).
  void set_next_iss(ConnId c, SeqNum iss) { next_iss_[c] = iss.raw(); }

  // One event of one connection at time `now`; appends to `out`.
  StepResult step(ConnId c, const Event& e, Millis now, OutputBuffer& out);
  StepResult segment_arrives(ConnId c, const Segment& s, Millis now, OutputBuffer& out);
  // A batch of arriving segments, all at time `now`, processed in order (a connection may
  // appear several times). results[i] describes arrivals[i]; results must be at least as long.
  void segments_arrive(std::span<const Arrival> arrivals, Millis now, OutputBuffer& out,
                       std::span<StepResult> results);

  State state(ConnId c) const { return static_cast<State>(hot_[c].state); }
  TcbSnapshot snapshot(ConnId c) const;
  std::optional<Millis> deadline(ConnId c, TimerKind k) const;
  std::optional<std::pair<TimerKind, Millis>> next_timer(ConnId c) const;
  const HotRecord& hot(ConnId c) const { return hot_[c]; }
  // Appends a canonical encoding of everything that decides the connection's future behaviour
  // (for explorers: equal encodings, equal behaviour from here on). Times are relative to
  // max(now, the table's clock); a timer already due encodes as due now.
  void encode(ConnId c, Millis now, std::string& out) const;

 private:
  friend class Engine;

  // The ESTABLISHED fast path (connection_table.cpp). False when it did not apply; then nothing
  // was touched and the Engine takes the segment.
  bool established_fast_path(ConnId c, const Segment& s, Millis now, OutputBuffer& out,
                             StepResult& r);
  // The short answers (connection_table.cpp): a segment in a synchronized state that is
  // answered by one ACK and changes nothing else. False when it did not apply; then nothing was
  // touched and the Engine takes the segment.
  bool short_answer(ConnId c, const Segment& s, Millis now, OutputBuffer& out, StepResult& r);
  // The general path: the short answers, else an Engine for one segment.
  StepResult engine_segment(ConnId c, const Segment& s, Millis now, OutputBuffer& out);
  StepResult full_engine_segment(ConnId c, const Segment& s, Millis now, OutputBuffer& out);

  Profile profile_;
  Mutant mutant_;
  Tables tables_;
  // Some Linux switch replaces the RFC processing of a whole state (a mini-socket) or runs
  // before the table (Profile: request_socket, time_wait_mini_socket, orphan_fin_wait_2,
  // syn_ack_completes_simultaneous_open, drop_without_ack_rst_syn).
  bool linux_intercepts_ = false;
  // Whether the profile and mutant let the fast path run at all (see established_fast_path).
  bool fast_path_allowed_ = false;
  Millis now_ = 0;

  std::vector<HotRecord, HugePageAllocator<HotRecord>> hot_;
  std::vector<TimerRecord> timers_;
  std::vector<ColdRecord> cold_;
  std::vector<std::uint32_t> next_iss_;
  ChainPool<HeldSpan> held_pool_;
  ChainPool<std::uint32_t> waiting_pool_;
  std::vector<SavedTimeWait> saved_;
  std::vector<std::uint32_t> saved_free_;
};

}  // namespace tcpfsm::fast
