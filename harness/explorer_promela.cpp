// The cross-check with spin (explorer.hpp, docs/explorer.md "Cross-check with spin"): a
// configuration's world written as a Promela model, by an independent hand transcription of
// RFC 9293's event processing without data, and the run of spin's verifier on it.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "harness/explorer.hpp"
#include "harness/script.hpp"

namespace tcpfsm::harness {

namespace {

// The world of a configuration in Promela. One process plays the whole world: each iteration of
// its loop is one choice of the explorer, as one d_step. Sequence numbers are kept relative to
// each side's first ISS (so modular comparisons become plain ones: the values stay far below
// 2^31), except the <SEQ=0> of a RST answering a segment without ACK, which is the distance of
// absolute 0 from that ISS (ZEROn). A step whose segments do not fit in the network is undone.
constexpr std::string_view kPromelaBody = R"PML(
#define LISTEN 0
#define SYN_SENT 1
#define SYN_RCVD 2
#define ESTAB 3
#define FW1 4
#define FW2 5
#define CLOSE_WAIT 6
#define CLOSING 7
#define LAST_ACK 8
#define TIME_WAIT 9
#define CLOSED 10
#define F_FIN 1
#define F_SYN 2
#define F_RST 4
#define F_ACK 16
#define WND 65535
#define ZERO(s) (s == 0 -> ZERO0 : ZERO1)

c_decl {
  unsigned char tcpfsm_pairs[11][11];
  void tcpfsm_dump(void) {
    int a, b;
    printf("tcpfsm-pairs:");
    for (a = 0; a < 11; a++)
      for (b = 0; b < 11; b++)
        if (tcpfsm_pairs[a][b]) printf(" %d,%d", a, b);
    printf("\n");
  }
}

typedef Seg { byte fl; int sq; int ak };
typedef Dir { Seg e[CAP] };
Dir net[2];          /* net[d]: segments sent by side d, sorted: a multiset */
byte n[2];

byte st[2];
int iss[2], nxtiss[2], una[2], nxt[2], irs[2], rnxt[2], finseq[2];
bool passive[2], closereq[2], finsent[2], finacked[2], finrcvd[2];
byte retries[2];
bool trtx[2], ttw[2], tfw2[2];
byte opens[2];
byte loss, dup, crash;
/* What the network-level invariant agreement-when-quiet remembers since the network was last
   idle with no connection on either side: a loss, an ABORT, a connection-ending timeout, a
   connection reset by a RST that the peer sent while CLOSED (finding F1; only a CLOSED endpoint
   sends RST with ACK, so its flags tell its origin here). */
bool f_loss, f_abort, f_end, f_stale;

/* Scratch of one step; not part of the state. */
hidden Seg x_cur, x_out[3], x_tmp;
hidden byte x_nout, x_i, x_j, x_fl, x_tfl, x_sl;
hidden int x_tsq, x_tq;
hidden byte x_acc, x_ackok, x_done, x_cont, x_owed, x_sentany, x_ok, x_end, x_abort, x_stale;
hidden byte b_st, b_retries, b_n[2];
hidden int b_iss, b_nxtiss, b_una, b_nxt, b_irs, b_rnxt, b_finseq;
hidden byte b_passive, b_closereq, b_finsent, b_finacked, b_finrcvd, b_trtx, b_ttw, b_tfw2;
hidden Dir b_net[2];

inline save(s) {
  b_st = st[s]; b_retries = retries[s]; b_iss = iss[s]; b_nxtiss = nxtiss[s]; b_una = una[s];
  b_nxt = nxt[s]; b_irs = irs[s]; b_rnxt = rnxt[s]; b_finseq = finseq[s];
  b_passive = passive[s]; b_closereq = closereq[s]; b_finsent = finsent[s];
  b_finacked = finacked[s]; b_finrcvd = finrcvd[s]; b_trtx = trtx[s]; b_ttw = ttw[s];
  b_tfw2 = tfw2[s];
  b_n[0] = n[0]; b_n[1] = n[1];
  x_ok = 0; x_end = 0; x_abort = 0; x_stale = 0;
  x_i = 0;
  do
  :: x_i < CAP -> b_net[0].e[x_i].fl = net[0].e[x_i].fl; b_net[0].e[x_i].sq = net[0].e[x_i].sq;
     b_net[0].e[x_i].ak = net[0].e[x_i].ak; b_net[1].e[x_i].fl = net[1].e[x_i].fl;
     b_net[1].e[x_i].sq = net[1].e[x_i].sq; b_net[1].e[x_i].ak = net[1].e[x_i].ak; x_i++
  :: else -> break
  od;
  x_nout = 0
}
inline restore(s) {
  st[s] = b_st; retries[s] = b_retries; iss[s] = b_iss; nxtiss[s] = b_nxtiss; una[s] = b_una;
  nxt[s] = b_nxt; irs[s] = b_irs; rnxt[s] = b_rnxt; finseq[s] = b_finseq;
  passive[s] = b_passive; closereq[s] = b_closereq; finsent[s] = b_finsent;
  finacked[s] = b_finacked; finrcvd[s] = b_finrcvd; trtx[s] = b_trtx; ttw[s] = b_ttw;
  tfw2[s] = b_tfw2;
  n[0] = b_n[0]; n[1] = b_n[1];
  x_i = 0;
  do
  :: x_i < CAP -> net[0].e[x_i].fl = b_net[0].e[x_i].fl; net[0].e[x_i].sq = b_net[0].e[x_i].sq;
     net[0].e[x_i].ak = b_net[0].e[x_i].ak; net[1].e[x_i].fl = b_net[1].e[x_i].fl;
     net[1].e[x_i].sq = b_net[1].e[x_i].sq; net[1].e[x_i].ak = b_net[1].e[x_i].ak; x_i++
  :: else -> break
  od
}

/* Keeps a direction sorted by (flags, seq, ack), unused slots zero. */
inline sort_dir(dd) {
  x_i = 1;
  do
  :: x_i < n[dd] ->
     x_j = x_i;
     do
     :: x_j > 0 && (net[dd].e[x_j-1].fl > net[dd].e[x_j].fl ||
                  (net[dd].e[x_j-1].fl == net[dd].e[x_j].fl && (net[dd].e[x_j-1].sq > net[dd].e[x_j].sq ||
                   (net[dd].e[x_j-1].sq == net[dd].e[x_j].sq && net[dd].e[x_j-1].ak > net[dd].e[x_j].ak)))) ->
        x_tmp.fl = net[dd].e[x_j].fl; x_tmp.sq = net[dd].e[x_j].sq; x_tmp.ak = net[dd].e[x_j].ak;
        net[dd].e[x_j].fl = net[dd].e[x_j-1].fl; net[dd].e[x_j].sq = net[dd].e[x_j-1].sq;
        net[dd].e[x_j].ak = net[dd].e[x_j-1].ak;
        net[dd].e[x_j-1].fl = x_tmp.fl; net[dd].e[x_j-1].sq = x_tmp.sq; net[dd].e[x_j-1].ak = x_tmp.ak;
        x_j--
     :: else -> break
     od;
     x_i++
  :: else -> break
  od
}
inline remove_seg(dd, k) {
  x_j = k;
  do
  :: x_j + 1 < n[dd] -> net[dd].e[x_j].fl = net[dd].e[x_j+1].fl; net[dd].e[x_j].sq = net[dd].e[x_j+1].sq;
     net[dd].e[x_j].ak = net[dd].e[x_j+1].ak; x_j++
  :: else -> break
  od;
  n[dd]--;
  net[dd].e[n[dd]].fl = 0; net[dd].e[n[dd]].sq = 0; net[dd].e[n[dd]].ak = 0
}
/* What side s sent goes in flight; if it does not fit, the step is undone. */
inline commit(s) {
  if
  :: n[0] + n[1] + x_nout > CAP -> restore(s)
  :: else ->
     x_ok = 1;
     x_i = 0;
     do
     :: x_i < x_nout -> net[s].e[n[s]].fl = x_out[x_i].fl; net[s].e[n[s]].sq = x_out[x_i].sq;
        net[s].e[n[s]].ak = x_out[x_i].ak; n[s]++; x_i++
     :: else -> break
     od;
     sort_dir(s)
  fi;
  c_code { tcpfsm_pairs[now.st[0]][now.st[1]] = 1; }
}
inline emit(f, q, a) {
  x_out[x_nout].fl = f; x_out[x_nout].sq = q; x_out[x_nout].ak = a; x_nout++
}
inline reset_for(s) {
  if
  :: (x_cur.fl & F_ACK) -> x_tq = x_cur.ak; emit(F_RST, x_tq, 0)
  :: else -> x_tq = x_cur.sq + x_sl; emit(F_RST | F_ACK, ZERO(s), x_tq)
  fi
}

inline to_closed(s) {
  st[s] = CLOSED; iss[s] = 0; una[s] = 0; nxt[s] = 0; irs[s] = 0; rnxt[s] = 0; finseq[s] = 0;
  passive[s] = 0; closereq[s] = 0; finsent[s] = 0; finacked[s] = 0; finrcvd[s] = 0;
  retries[s] = 0; trtx[s] = 0; ttw[s] = 0; tfw2[s] = 0
}
inline back_to_listen(s) { to_closed(s); st[s] = LISTEN }
inline enter_time_wait(s) { trtx[s] = 0; tfw2[s] = 0; ttw[s] = 1; st[s] = TIME_WAIT }
inline start_incarnation(s) {
  iss[s] = nxtiss[s]; nxtiss[s] = nxtiss[s] + INC; una[s] = iss[s]; nxt[s] = iss[s] + 1;
  irs[s] = 0; rnxt[s] = 0; finseq[s] = 0; passive[s] = 0; closereq[s] = 0; finsent[s] = 0;
  finacked[s] = 0; finrcvd[s] = 0; retries[s] = 0
}
/* SND.UNA moves to the arriving segment's ACK. */
inline advance_una(s) {
  una[s] = x_cur.ak;
  if :: finsent[s] && finseq[s] + 1 <= x_cur.ak -> finacked[s] = 1 :: else -> skip fi;
  retries[s] = 0;
  trtx[s] = (una[s] != nxt[s])
}
/* Sends our FIN when it is due, then a bare ACK if one is x_owed and nothing went x_out. */
inline output(s, ow) {
  x_sentany = 0;
  if
  :: (st[s] == FW1 || st[s] == CLOSING || st[s] == LAST_ACK) && closereq[s] && !finsent[s] ->
     emit(F_FIN | F_ACK, nxt[s], rnxt[s]); finsent[s] = 1; finseq[s] = nxt[s];
     nxt[s] = nxt[s] + 1; trtx[s] = 1; x_sentany = 1
  :: else -> skip
  fi;
  if :: ow && !x_sentany -> emit(F_ACK, nxt[s], rnxt[s]) :: else -> skip fi
}
inline retransmit(s) {
  trtx[s] = 0;
  if
  :: retries[s] >= ((st[s] == SYN_SENT || st[s] == SYN_RCVD) -> SYN_RETRIES : DATA_RETRIES) ->
     x_end = 1;
     if :: st[s] == SYN_RCVD && passive[s] -> back_to_listen(s) :: else -> to_closed(s) fi
  :: else ->
     retries[s]++;
     if
     :: st[s] == SYN_SENT -> emit(F_SYN, iss[s], 0); trtx[s] = 1
     :: st[s] != SYN_SENT && una[s] == iss[s] -> emit(F_SYN | F_ACK, iss[s], rnxt[s]); trtx[s] = 1
     :: st[s] != SYN_SENT && una[s] != iss[s] && una[s] != nxt[s] ->
        x_fl = F_ACK;
        if :: finsent[s] && !finacked[s] -> x_fl = x_fl | F_FIN :: else -> skip fi;
        emit(x_fl, una[s], rnxt[s]); trtx[s] = 1
     :: else -> skip
     fi
  fi
}

inline open_active(s) {
  start_incarnation(s); emit(F_SYN, iss[s], 0); trtx[s] = 1; st[s] = SYN_SENT
}
inline close_call(s) {
  if
  :: st[s] == LISTEN || st[s] == SYN_SENT -> to_closed(s)
  :: st[s] == SYN_RCVD || st[s] == ESTAB -> closereq[s] = 1; st[s] = FW1; output(s, 0)
  :: st[s] == CLOSE_WAIT -> closereq[s] = 1; st[s] = LAST_ACK; output(s, 0)
  :: else -> skip
  fi
}
inline abort_call(s) {
  if
  :: st[s] == SYN_RCVD || st[s] == ESTAB || st[s] == FW1 || st[s] == FW2 || st[s] == CLOSE_WAIT ->
     emit(F_RST, nxt[s], 0); to_closed(s)
  :: else -> to_closed(s)
  fi
}

inline fin_arrives(s) {
  if
  :: st[s] == TIME_WAIT -> ttw[s] = 1
  :: st[s] == ESTAB || st[s] == FW1 || st[s] == FW2 || st[s] == SYN_RCVD ->
     rnxt[s] = rnxt[s] + 1; finrcvd[s] = 1;
     if
     :: st[s] == SYN_RCVD || st[s] == ESTAB -> st[s] = CLOSE_WAIT
     :: st[s] == FW1 && finacked[s] -> enter_time_wait(s)
     :: st[s] == FW1 && !finacked[s] -> st[s] = CLOSING
     :: st[s] == FW2 -> enter_time_wait(s)
     fi
  :: else -> skip
  fi
}

inline syn_sent_arrives(s) {
  x_ackok = 0; x_done = 0;
  if
  :: (x_cur.fl & F_ACK) ->
     if
     :: x_cur.ak <= iss[s] || x_cur.ak > nxt[s] ->
        if :: !(x_cur.fl & F_RST) -> reset_for(s) :: else -> skip fi; x_done = 1
     :: else -> x_ackok = (una[s] < x_cur.ak && x_cur.ak <= nxt[s])
     fi
  :: else -> skip
  fi;
  if
  :: x_done -> skip
  :: !x_done && (x_cur.fl & F_RST) -> if :: x_ackok -> to_closed(s) :: else -> skip fi
  :: !x_done && !(x_cur.fl & F_RST) && !(x_cur.fl & F_SYN) -> skip
  :: !x_done && !(x_cur.fl & F_RST) && (x_cur.fl & F_SYN) ->
     irs[s] = x_cur.sq; rnxt[s] = x_cur.sq + 1;
     if :: x_ackok -> advance_una(s) :: else -> skip fi;
     if
     :: iss[s] < una[s] -> st[s] = ESTAB; output(s, 1)
     :: else -> passive[s] = 0; emit(F_SYN | F_ACK, iss[s], rnxt[s]); st[s] = SYN_RCVD
     fi
  fi
}

inline synchronized_arrives(s) {
  if
  :: x_sl == 0 -> x_acc = (rnxt[s] <= x_cur.sq && x_cur.sq < rnxt[s] + WND)
  :: else -> x_acc = ((rnxt[s] <= x_cur.sq && x_cur.sq < rnxt[s] + WND) ||
                    (rnxt[s] <= x_cur.sq + x_sl - 1 && x_cur.sq + x_sl - 1 < rnxt[s] + WND))
  fi;
  if
  :: !x_acc ->
     if
     :: (x_cur.fl & F_RST) -> skip
     :: else ->
        emit(F_ACK, nxt[s], rnxt[s]);
        if
        :: st[s] == TIME_WAIT && (x_cur.fl & F_FIN) && x_cur.sq + x_sl == rnxt[s] -> ttw[s] = 1
        :: else -> skip
        fi
     fi
  :: else ->
     x_tfl = x_cur.fl; x_tsq = x_cur.sq;
     if
     :: x_tsq < rnxt[s] && (x_tfl & F_SYN) -> x_tfl = x_tfl & (255 - F_SYN); x_tsq = x_tsq + 1
     :: else -> skip
     fi;
     if
     :: (x_cur.fl & F_RST) ->
        if
        :: x_cur.sq != rnxt[s] -> emit(F_ACK, nxt[s], rnxt[s])
        :: else -> x_stale = ((x_cur.fl & F_ACK) -> 1 : 0);
                   if :: st[s] == SYN_RCVD && passive[s] -> back_to_listen(s)
                      :: else -> to_closed(s) fi
        fi
     :: !(x_cur.fl & F_RST) && (x_tfl & F_SYN) ->
        if
        :: st[s] == SYN_RCVD && passive[s] -> back_to_listen(s)
        :: else -> emit(F_ACK, nxt[s], rnxt[s])
        fi
     :: !(x_cur.fl & F_RST) && !(x_tfl & F_SYN) && !(x_tfl & F_ACK) -> skip
     :: !(x_cur.fl & F_RST) && !(x_tfl & F_SYN) && (x_tfl & F_ACK) ->
        x_cont = 1;
        if
        :: st[s] == SYN_RCVD ->
           if
           :: !(una[s] < x_cur.ak && x_cur.ak <= nxt[s]) -> x_tq = x_cur.ak; emit(F_RST, x_tq, 0); x_cont = 0
           :: else -> st[s] = ESTAB; if :: closereq[s] -> st[s] = FW1 :: else -> skip fi
           fi
        :: else -> skip
        fi;
        if
        :: x_cont && x_cur.ak > nxt[s] -> emit(F_ACK, nxt[s], rnxt[s]); x_cont = 0
        :: else -> skip
        fi;
        if
        :: x_cont && st[s] != TIME_WAIT ->
           if :: una[s] < x_cur.ak -> advance_una(s) :: else -> skip fi;
           if
           :: st[s] == FW1 && finacked[s] -> trtx[s] = 0; st[s] = FW2; tfw2[s] = FW2_TIMER
           :: st[s] == CLOSING ->
              if :: finacked[s] -> enter_time_wait(s) :: else -> output(s, 0) fi; x_cont = 0
           :: st[s] == LAST_ACK ->
              if :: finacked[s] -> to_closed(s) :: else -> output(s, 0) fi; x_cont = 0
           :: else -> skip
           fi
        :: else -> skip
        fi;
        if
        :: x_cont ->
           x_owed = 0;
           if :: (x_tfl & F_FIN) && x_tsq == rnxt[s] -> fin_arrives(s); x_owed = 1 :: else -> skip fi;
           if :: st[s] != CLOSED -> output(s, x_owed) :: else -> skip fi
        :: else -> skip
        fi
     fi
  fi
}

inline arrive(s) {
  x_sl = ((x_cur.fl & F_SYN) -> 1 : 0) + ((x_cur.fl & F_FIN) -> 1 : 0);
  if
  :: st[s] == CLOSED -> if :: (x_cur.fl & F_RST) -> skip :: else -> reset_for(s) fi
  :: st[s] == LISTEN ->
     if
     :: (x_cur.fl & F_RST) -> skip
     :: !(x_cur.fl & F_RST) && (x_cur.fl & F_ACK) -> reset_for(s)
     :: !(x_cur.fl & F_RST) && !(x_cur.fl & F_ACK) && !(x_cur.fl & F_SYN) -> skip
     :: !(x_cur.fl & F_RST) && !(x_cur.fl & F_ACK) && (x_cur.fl & F_SYN) ->
        start_incarnation(s); irs[s] = x_cur.sq; rnxt[s] = x_cur.sq + 1; passive[s] = 1;
        emit(F_SYN | F_ACK, iss[s], rnxt[s]); trtx[s] = 1; st[s] = SYN_RCVD
     fi
  :: st[s] == SYN_SENT -> syn_sent_arrives(s)
  :: else -> synchronized_arrives(s)
  fi
}

#define SYNC(s) (st[s] >= ESTAB && st[s] <= TIME_WAIT)
#define NO_CONN(s) (st[s] == CLOSED || st[s] == LISTEN)
/* After a step that was taken: the run's flags, agreement-when-quiet (with nothing in flight,
   no timer armed and no loss, ABORT, ending timeout or stale RST from CLOSED since the network
   was last idle with no connection, both ends are synchronized or neither is), then the flags'
   reset. */
inline after_step() {
  if
  :: x_ok ->
     f_end = f_end || x_end; f_abort = f_abort || x_abort; f_stale = f_stale || x_stale;
     if
     :: n[0] == 0 && n[1] == 0 && !trtx[0] && !ttw[0] && !tfw2[0] && !trtx[1] && !ttw[1] &&
        !tfw2[1] && !f_loss && !f_abort && !f_end && !f_stale -> assert(SYNC(0) == SYNC(1))
     :: else -> skip
     fi;
     network_update()
  :: else -> skip
  fi
}
inline network_update() {
  if
  :: n[0] == 0 && n[1] == 0 && NO_CONN(0) && NO_CONN(1) ->
     f_loss = 0; f_abort = 0; f_end = 0; f_stale = 0
  :: else -> skip
  fi
}

/* The state and FIN invariants of the catalogue that the abstraction keeps: I1, I11, I12, I13. */
inline check(s) {
  assert(st[s] == CLOSED || st[s] == LISTEN || una[s] <= nxt[s]);
  assert(!(st[s] == CLOSE_WAIT || st[s] == CLOSING || st[s] == LAST_ACK || st[s] == TIME_WAIT) ||
         finrcvd[s]);
  assert(!(st[s] == FW1 || st[s] == FW2 || st[s] == CLOSING || st[s] == LAST_ACK ||
           st[s] == TIME_WAIT) || closereq[s]);
  assert(st[s] != FW1 || (!finrcvd[s] && !finacked[s]));
  assert(st[s] != FW2 || (finsent[s] && finacked[s] && !finrcvd[s]));
  assert(!(st[s] == CLOSING || st[s] == LAST_ACK) || !finacked[s]);
  assert(st[s] != TIME_WAIT || (finsent[s] && finacked[s]));
  assert(st[s] != CLOSE_WAIT || !closereq[s])
}
)PML";

}  // namespace

PromelaModel promela_model(const ExploreConfig& c) {
  PromelaModel m;
  auto refuse = [&](std::string why) {
    m.error = "the Promela model does not cover this configuration: " + std::move(why);
    return m;
  };
  if (c.iss_a.size() != 1 || c.iss_b.size() != 1) return refuse("more than one ISS per side");
  Profile p[2];
  for (int s = 0; s < 2; ++s) {
    auto made = make_profile(s == 0 ? c.profile_a : c.profile_b);
    if (const auto* e = std::get_if<std::string>(&made)) return refuse(*e);
    p[s] = std::get<Profile>(made);
    // Everything but the settings the model takes as parameters must be the RFC's.
    Profile plain = Profile::rfc9293();
    plain.syn_retries = p[s].syn_retries;
    plain.data_retries = p[s].data_retries;
    plain.msl_ms = p[s].msl_ms;
    plain.fin_wait_2_timeout_ms = p[s].fin_wait_2_timeout_ms;
    plain.iss_increment = p[s].iss_increment;
    plain.user_timeout_ms = 0;
    if (!(plain == p[s])) {
      return refuse(
          "profile settings other than syn_retries, data_retries, msl_ms, "
          "fin_wait_2_timeout_ms, iss_increment and user_timeout_ms=0");
    }
  }
  if (!(p[0] == p[1])) return refuse("different profiles for A and B");
  if (c.capacity == 0 || c.capacity > 8) return refuse("capacity outside 1..8");
  for (const auto& side : c.sides) {
    if (side.calls[static_cast<std::size_t>(ExploreCall::Send)] ||
        side.calls[static_cast<std::size_t>(ExploreCall::Receive)]) {
      return refuse("SEND or RECEIVE (the model has no data)");
    }
  }
  const std::uint32_t iss[2] = {c.iss_a.front(), c.iss_b.front()};
  std::string out = "/* Generated by tcpfsm explore --spin from the configuration '" + c.name +
                    "' (harness/explorer_promela.cpp, docs/explorer.md). */\n";
  auto define = [&](const std::string& name, long long v) {
    out += "#define " + name + " " + std::to_string(v) + "\n";
  };
  define("CAP", c.capacity);
  define("SYN_RETRIES", p[0].syn_retries);
  define("DATA_RETRIES", p[0].data_retries);
  define("FW2_TIMER", p[0].fin_wait_2_timeout_ms > 0 ? 1 : 0);
  define("INC", p[0].iss_increment);
  // Absolute 0 seen from each side's first ISS, as a signed distance.
  for (int s = 0; s < 2; ++s) {
    define("ZERO" + std::to_string(s), static_cast<std::int32_t>(0u - iss[s]));
  }
  out += kPromelaBody;

  // The world's loop: one option per choice of the explorer.
  out += "\nactive proctype world() {\n";
  for (int s = 0; s < 2; ++s) {
    const std::string S = std::to_string(s);
    out += "  st[" + S + "] = CLOSED; opens[" + S +
           "] = " + std::to_string(c.sides[static_cast<std::size_t>(s)].opens) + ";\n";
  }
  out += "  loss = " + std::to_string(c.loss) + "; dup = " + std::to_string(c.duplicate) +
         "; crash = " + std::to_string(c.crash) + ";\n";
  out += "  c_code { atexit(tcpfsm_dump); tcpfsm_pairs[now.st[0]][now.st[1]] = 1; };\n";
  out += "end:\n  do\n";
  for (int s = 0; s < 2; ++s) {
    const std::string S = std::to_string(s);
    const auto& calls = c.sides[static_cast<std::size_t>(s)].calls;
    auto option = [&](const std::string& guard, const std::string& body) {
      out += "  :: d_step { " + guard + "; save(" + S + "); " + body + "; commit(" + S +
             "); check(" + S + "); after_step() }\n";
    };
    // Calls that would be rejected change nothing, so only accepted ones are offered.
    if (calls[static_cast<std::size_t>(ExploreCall::OpenActive)]) {
      option("opens[" + S + "] > 0 && (st[" + S + "] == CLOSED || st[" + S + "] == LISTEN)",
             "open_active(" + S + "); opens[" + S + "]--");
    }
    if (calls[static_cast<std::size_t>(ExploreCall::OpenPassive)]) {
      option("opens[" + S + "] > 0 && st[" + S + "] == CLOSED",
             "st[" + S + "] = LISTEN; opens[" + S + "]--");
    }
    if (calls[static_cast<std::size_t>(ExploreCall::Close)]) {
      option("st[" + S + "] != CLOSED", "close_call(" + S + ")");
    }
    if (calls[static_cast<std::size_t>(ExploreCall::Abort)]) {
      option("st[" + S + "] != CLOSED", "abort_call(" + S + "); x_abort = 1");
    }
    option("trtx[" + S + "]", "retransmit(" + S + ")");
    option("ttw[" + S + "]", "to_closed(" + S + ")");
    option("tfw2[" + S + "]", "to_closed(" + S + "); x_end = 1");
    if (c.crash > 0) {
      option("crash > 0 && st[" + S + "] != CLOSED",
             "abort_call(" + S +
                 "); x_abort = 1; f_loss = f_loss || x_nout > 0; x_nout = 0; "
                 "crash--");
    }
    // Deliveries of what side s sent, to the other side.
    const std::string P = std::to_string(1 - s);
    for (std::uint32_t k = 0; k < c.capacity; ++k) {
      const std::string K = std::to_string(k);
      out += "  :: d_step { n[" + S + "] > " + K + "; save(" + P + "); x_cur.fl = net[" + S +
             "].e[" + K + "].fl; x_cur.sq = net[" + S + "].e[" + K + "].sq; x_cur.ak = net[" + S +
             "].e[" + K + "].ak; remove_seg(" + S + ", " + K + "); arrive(" + P + "); commit(" + P +
             "); check(" + P + "); after_step() }\n";
      if (c.loss > 0) {
        out += "  :: d_step { loss > 0 && n[" + S + "] > " + K + "; remove_seg(" + S + ", " + K +
               "); loss--; f_loss = 1; network_update() }\n";
      }
      if (c.duplicate > 0) {
        out += "  :: d_step { dup > 0 && n[" + S + "] > " + K + " && n[0] + n[1] < CAP; net[" + S +
               "].e[n[" + S + "]].fl = net[" + S + "].e[" + K + "].fl; net[" + S + "].e[n[" + S +
               "]].sq = net[" + S + "].e[" + K + "].sq; net[" + S + "].e[n[" + S + "]].ak = net[" +
               S + "].e[" + K + "].ak; n[" + S + "]++; sort_dir(" + S + "); dup-- }\n";
      }
    }
  }
  out += "  od\n}\n";
  m.text = std::move(out);
  return m;
}

namespace {

// Runs a shell command, keeping its standard output and error; true when it exited with 0.
bool capture(const std::string& cmd, std::string& out) {
  out.clear();
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (f == nullptr) return false;
  char buf[4096];
  while (std::size_t got = std::fread(buf, 1, sizeof buf, f)) out.append(buf, got);
  return pclose(f) == 0;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

// The number written just before `key` in pan's report ("  604 states, stored").
double number_before(const std::string& log, const std::string& key) {
  const auto at = log.find(key);
  if (at == std::string::npos) return -1;
  std::size_t end = at;
  while (end > 0 && log[end - 1] == ' ') --end;
  std::size_t begin = end;
  while (begin > 0 && (std::isdigit(static_cast<unsigned char>(log[begin - 1])) ||
                       log[begin - 1] == '.' || log[begin - 1] == 'e' || log[begin - 1] == '+')) {
    --begin;
  }
  return std::atof(log.substr(begin, end - begin).c_str());
}
double number_after(const std::string& log, const std::string& key) {
  const auto at = log.find(key);
  return at == std::string::npos ? -1 : std::atof(log.c_str() + at + key.size());
}

}  // namespace

SpinResult run_spin(const ExploreConfig& config, std::string dir) {
  SpinResult r;
  const PromelaModel model = promela_model(config);
  if (!model.error.empty()) {
    r.error = model.error;
    return r;
  }
  if (std::system("command -v spin >/dev/null 2>&1 && command -v cc >/dev/null 2>&1") != 0) {
    r.error = "spin or cc is not installed (Debian packages 'spin' and 'gcc')";
    return r;
  }
  if (dir.empty()) {
    char tmpl[] = "/tmp/tcpfsm-spin-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      r.error = "cannot make a directory for spin's files";
      return r;
    }
    dir = tmpl;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  r.dir = dir;
  {
    std::ofstream out(dir + "/model.pml", std::ios::binary);
    out << model.text;
    if (!out) {
      r.error = dir + "/model.pml: cannot write";
      return r;
    }
  }
  std::string log;
  const std::string cd = "cd " + shell_quote(dir) + " && ";
  if (!capture(cd + "spin -a model.pml", log) ||
      !capture(cd + "cc -O2 -DSAFETY -fwrapv -w -o pan pan.c", log)) {
    r.error = "building spin's verifier failed: " + log.substr(0, 2000);
    return r;
  }
  const auto start = std::chrono::steady_clock::now();
  capture(cd + "./pan -c0 -m1000000", log);
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ofstream(dir + "/pan.out", std::ios::binary) << log;
  const double stored = number_before(log, " states, stored");
  if (stored < 0) {
    r.error = "pan did not report its states: " + log.substr(0, 2000);
    return r;
  }
  r.states = static_cast<std::uint64_t>(stored);
  r.errors = static_cast<std::uint64_t>(std::max(0.0, number_after(log, "errors: ")));
  const double elapsed = number_after(log, "pan: elapsed time ");
  r.seconds = elapsed > 0 ? elapsed : r.wall_seconds;
  if (const auto at = log.find("tcpfsm-pairs:"); at != std::string::npos) {
    const auto eol = log.find('\n', at);
    std::istringstream in(log.substr(at + 13, eol == std::string::npos ? eol : eol - at - 13));
    std::string pair;
    while (in >> pair) {
      const auto comma = pair.find(',');
      if (comma == std::string::npos) continue;
      const int a = std::atoi(pair.substr(0, comma).c_str());
      const int b = std::atoi(pair.substr(comma + 1).c_str());
      if (a >= 0 && a < 11 && b >= 0 && b < 11) {
        r.pairs[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)] = true;
      }
    }
  }
  return r;
}

}  // namespace tcpfsm::harness
