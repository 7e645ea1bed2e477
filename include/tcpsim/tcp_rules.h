/*
 * tcp_rules.h - every rule of RFC 9293 (and its companions) that tcpsim applies, by name.
 *
 * A state change always names the rule that caused it, and so does every notable action on an
 * arriving segment (an RST sent, a challenge ACK, a segment dropped). The rule travels in the
 * event stream, where `why`, the traces, the capture comments and coverage read it.
 *
 * X(id, section, text): 'section' is where a reader finds the rule; 'text' says it in a line.
 */
#ifndef TCPSIM_TCP_RULES_H
#define TCPSIM_TCP_RULES_H

#define TCP_RULES(X) \
    X(NONE,                 "-",                 "no rule") \
    /* User calls, RFC 9293 §3.10.1-§3.10.6 */ \
    X(OPEN_PASSIVE,         "3.10.1",            "OPEN (passive): wait in LISTEN for a SYN") \
    X(OPEN_ACTIVE,          "3.10.1",            "OPEN (active): send <SEQ=ISS><CTL=SYN>, SND.NXT=ISS+1") \
    X(OPEN_REUSE_TIME_WAIT, "3.6.1",             "OPEN (active) with reuseaddr on a port pair that TIME-WAIT holds: the old TCB is deleted, the new connection takes the pair over") \
    X(OPEN_TW_REUSE,        "Linux tcp_twsk_unique", "OPEN (active), tcp_tw_reuse: the port pair TIME-WAIT holds is taken over, its timestamps more than 1 s old; ISS = old SND.NXT + 65537") \
    X(CLOSE_LISTEN,         "3.10.4",            "CLOSE in LISTEN: delete the TCB") \
    X(CLOSE_LISTEN_RESET,   "Linux inet_csk_listen_stop", "CLOSE of a listener: each established connection never accepted is reset") \
    X(CLOSE_LISTEN_DROP,    "Linux inet_csk_listen_stop", "CLOSE of a listener: its embryonic (SYN-RECEIVED) connections are dropped, nothing sent") \
    X(CLOSE_SYN_SENT,       "3.10.4",            "CLOSE in SYN-SENT: delete the TCB, nothing sent") \
    X(CLOSE_SEND_FIN,       "3.10.4",            "CLOSE: queue a FIN after the pending data") \
    X(CLOSE_WAIT_FIN,       "3.10.4",            "CLOSE in CLOSE-WAIT: send FIN, wait for its ACK in LAST-ACK") \
    X(CLOSE_UNREAD_RST,     "RFC 1122 4.2.2.13", "CLOSE with unread received data: send RST, not FIN") \
    X(SHUTDOWN_SEND_FIN,    "3.10.4",            "shutdown of the sending side: FIN after the data, receiving goes on") \
    X(ABORT_RST,            "3.10.5",            "ABORT: send <SEQ=SND.NXT><CTL=RST> (RST,ACK under active_reset_ack), flush the queues") \
    X(ABORT_SILENT,         "3.10.5",            "ABORT: delete the TCB, nothing sent") \
    X(HOST_CRASH,           "3.5.2",             "host crash: every TCB is forgotten and nothing is sent") \
    /* SEGMENT ARRIVES, §3.10.7.1 CLOSED */ \
    X(CLOSED_RST_DROP,      "3.10.7.1",          "CLOSED: an incoming RST is discarded") \
    X(CLOSED_SEND_RST,      "3.10.7.1",          "CLOSED: any other segment is answered with a RST") \
    /* §3.10.7.2 LISTEN */ \
    X(LISTEN_RST_IGNORE,    "3.10.7.2",          "LISTEN, first check for an RST: ignore it") \
    X(LISTEN_ACK_RST,       "3.10.7.2",          "LISTEN, second check for an ACK: send <SEQ=SEG.ACK><CTL=RST>") \
    X(LISTEN_SYN,           "3.10.7.2",          "LISTEN, third check for a SYN: new TCB in SYN-RECEIVED, send SYN,ACK") \
    X(LISTEN_ACCEPT_QUEUE_FULL, "Linux tcp_conn_request", "LISTEN: the accept queue is full (backlog + 1 connections wait for accept()): the SYN is dropped unanswered, whatever tcp_syncookies says") \
    X(LISTEN_SYN_QUEUE_FULL, "Linux tcp_conn_request", "LISTEN: the SYN queue is full (backlog + 1 embryonic connections) and tcp_syncookies is 0: the SYN is dropped unanswered") \
    X(LISTEN_SYN_BACKLOG_DROP, "Linux tcp_conn_request", "LISTEN, tcp_syncookies 0: fewer than a quarter of tcp_max_syn_backlog places left, the SYN is dropped") \
    X(LISTEN_SYN_COOKIE,    "RFC 4987 3.6, Linux tcp_conn_request", "LISTEN: the SYN queue is full (or tcp_syncookies 2): SYN,ACK with a SYN cookie as ISS, no state kept") \
    X(LISTEN_COOKIE_ACK,    "RFC 4987 3.6, Linux cookie_v4_check", "LISTEN: an ACK validates a SYN cookie (SEG.ACK - 1): the connection is created from it, in SYN-RECEIVED") \
    X(LISTEN_OTHER_DROP,    "3.10.7.2",          "LISTEN, fourth, other text or control: drop the segment") \
    /* §3.10.7.3 SYN-SENT */ \
    X(SYN_SENT_BAD_ACK_RST, "3.10.7.3",          "SYN-SENT, first check the ACK: unacceptable, send <SEQ=SEG.ACK><CTL=RST>") \
    X(SYN_SENT_BAD_ACK_DROP,"3.10.7.3",          "SYN-SENT: unacceptable ACK on an RST: drop it") \
    X(SYN_SENT_BAD_ACK_RESEND, "Linux tcp_rcv_synsent_state_process", "SYN-SENT: an unacceptable ACK before any retransmission: send the SYN again at once, the peer may have missed it (setting synsent_bad_ack_resend)") \
    X(SYN_SENT_RST_REFUSED, "3.10.7.3",          "SYN-SENT, second check the RST: acceptable ACK, connection refused") \
    X(SYN_SENT_RST_DROP,    "3.10.7.3",          "SYN-SENT: an RST without an acceptable ACK is dropped (RFC 5961 §3)") \
    X(SYN_SENT_SYN_ACK,     "3.10.7.3",          "SYN-SENT, fourth check the SYN: our SYN is ACKed, ESTABLISHED") \
    X(SYN_SENT_SIM_OPEN,    "3.10.7.3",          "SYN-SENT: a SYN without ACK, simultaneous open, send SYN,ACK") \
    X(SYN_SENT_OTHER_DROP,  "3.10.7.3",          "SYN-SENT, fifth: neither SYN nor RST, drop the segment") \
    /* §3.10.7.4 the other states, step by step */ \
    X(SEQ_NOT_ACCEPTABLE,   "3.10.7.4",          "first check the sequence number: not acceptable, send ACK and drop") \
    X(PAWS_REJECT,          "RFC 7323 5.3",      "PAWS: SEG.TSval older than TS.Recent, an old duplicate: drop it, send an ACK") \
    X(SEQ_RST_NOT_ACCEPTABLE,"3.10.7.4",         "first check the sequence number: an unacceptable RST is dropped") \
    X(SEQ_ZERO_WINDOW,      "3.10.7.4",          "first check the sequence number: zero window, the text is refused but its ACK is processed") \
    X(SEQ_OUT_OF_ORDER,     "3.10.7.4",          "first check the sequence number: beyond RCV.NXT, held for reassembly") \
    X(RST_TO_LISTEN,        "3.10.7.4",          "second check the RST: SYN-RECEIVED from a passive OPEN returns to LISTEN") \
    X(RST_REFUSED,          "3.10.7.4",          "second check the RST: SYN-RECEIVED from an active OPEN, connection refused") \
    X(RST_RESET,            "3.10.7.4",          "second check the RST: RST at RCV.NXT, connection reset") \
    X(RST_CLOSE,            "3.10.7.4",          "second check the RST: in CLOSING, LAST-ACK or TIME-WAIT, close") \
    X(RST_CHALLENGE,        "RFC 5961 3.2",      "RST in the window but not at RCV.NXT: send a challenge ACK") \
    X(RST_RFC1337_IGNORE,   "RFC 1337",          "TIME-WAIT ignores an RST (assassination guard)") \
    X(SYN_CHALLENGE,        "RFC 5961 4.2",      "fourth check the SYN: SYN in a synchronized state, challenge ACK") \
    X(SYN_RCVD_SYN_LISTEN,  "3.10.7.4",          "fourth check the SYN: SYN-RECEIVED from a passive OPEN returns to LISTEN") \
    X(SYN_RCVD_DUP_SYN,     "3.10.7.4",          "SYN-RECEIVED: the peer's SYN again, send the SYN,ACK again") \
    X(TIME_WAIT_REOPEN,     "3.10.7.4",          "TIME-WAIT: a new SYN above RCV.NXT (Linux: or with a TSval above TS.Recent) opens a new incarnation, its ISS above the old SND.NXT") \
    X(TIME_WAIT_SUPERSEDED, "3.6.1",             "the incarnation that reopened TIME-WAIT is synchronized: delete the old TCB") \
    X(TIME_WAIT_RESTORED,   "3.6.1",             "the SYN that reopened TIME-WAIT was an old duplicate: TIME-WAIT goes on (MAY-2)") \
    X(ACK_MISSING_DROP,     "3.10.7.4",          "fifth check the ACK field: ACK bit off, drop the segment") \
    X(SYN_RCVD_ACKED,       "3.10.7.4",          "fifth, SYN-RECEIVED: our SYN is ACKed, ESTABLISHED") \
    X(ACK_ACCEPT_QUEUE_FULL, "Linux tcp_check_req", "the ACK that completes a handshake finds the accept queue full: dropped; the SYN,ACK goes again on its timer (tcp_abort_on_overflow 0)") \
    X(SYN_RCVD_BAD_ACK_RST, "3.10.7.4",          "fifth, SYN-RECEIVED: unacceptable ACK, send <SEQ=SEG.ACK><CTL=RST>") \
    X(ACK_RATE_LIMITED,     "RFC 5961 7",        "an ACK for an unacceptable segment, or a challenge ACK, within tcp_invalid_ratelimit of the last one: not sent (ACK storm guard)") \
    X(CHALLENGE_ACK_LIMITED,"RFC 5961 7",        "tcp_challenge_ack_limit challenge ACKs already sent by this host this second: not sent") \
    X(ACK_TOO_NEW,          "3.10.7.4",          "fifth: ACK of data not yet sent, send ACK and drop") \
    X(FIN_WAIT_1_ACKED,     "3.10.7.4",          "fifth, FIN-WAIT-1: our FIN is ACKed, FIN-WAIT-2") \
    X(CLOSING_ACKED,        "3.10.7.4",          "fifth, CLOSING: our FIN is ACKed, TIME-WAIT") \
    X(LAST_ACK_ACKED,       "3.10.7.4",          "fifth, LAST-ACK: our FIN is ACKed, delete the TCB") \
    X(TEXT_IGNORED,         "3.10.7.4",          "seventh, process the text: after the peer's FIN, text is ignored") \
    X(TEXT_AFTER_CLOSE_RST, "RFC 1122 4.2.2.13", "seventh, FIN-WAIT-1/2 after CLOSE or shutdown(SHUT_RDWR): new text is answered with <SEQ=SEG.ACK><CTL=RST>, the connection is reset") \
    X(FIN_NOT_SYNC_DROP,    "3.10.7.4",          "eighth: a FIN in CLOSED, LISTEN or SYN-SENT is not processed") \
    X(FIN_CLOSE_WAIT,       "3.10.7.4",          "eighth, check the FIN: ACK it, CLOSE-WAIT") \
    X(FIN_CLOSING,          "3.10.7.4",          "eighth, FIN-WAIT-1: our FIN not yet ACKed, simultaneous close, CLOSING") \
    X(FIN_TIME_WAIT,        "3.10.7.4",          "eighth, FIN-WAIT-1/2: our FIN ACKed, TIME-WAIT for 2MSL") \
    X(FIN_AGAIN,            "3.10.7.4",          "eighth: a retransmitted FIN, ACK it again") \
    X(FIN_TIME_WAIT_AGAIN,  "3.10.7.4",          "eighth, TIME-WAIT: retransmitted FIN, ACK it and restart 2MSL") \
    X(TIME_WAIT_OVERFLOW,   "Linux tcp_time_wait", "no room for TIME-WAIT: the host keeps tcp_max_tw_buckets already, the connection closes at once (Linux: TCPTimeWaitOverflow, \"time wait bucket table overflow\")") \
    /* TIME-WAIT as Linux runs it (setting tw_linux) */ \
    X(TIME_WAIT_BARE_ACK,   "Linux tcp_timewait_state_process", "TIME-WAIT: an empty segment at RCV.NXT restarts the 2MSL timer; nothing is sent") \
    X(TIME_WAIT_ACK,        "Linux tcp_timewait_state_process", "TIME-WAIT: any other segment but an RST gets an ACK; with the ACK bit it restarts the 2MSL timer") \
    X(TIME_WAIT_RST_DROP,   "Linux tcp_timewait_state_process", "TIME-WAIT: an RST not at RCV.NXT is dropped silently, even inside the window") \
    X(ACK_DELAYED,          "3.8.6.3",           "delayed ACK: hold the ACK back (RFC 1122: less than two full-sized segments unacknowledged; Linux: also while the application lags, or interactive)") \
    X(ACK_QUICK,            "Linux tcp_in_quickack_mode", "quick ACK: one of a connection's first segments (16 at most, fewer with a small window) is ACKed at once") \
    X(ACK_QUICK_AGAIN,      "Linux tcp_enter_quickack_mode", "quick ACKs again: data already ACKed came again (our ACK lost or late), a probe of our zero window, or data after a silence longer than the RTO") \
    X(ACK_INTERACTIVE,      "Linux tcp_fin, tcp_event_data_sent", "interactive (ping-pong): after the peer's FIN, or our data soon after the peer's, ACKs wait for our reply (no quick ACKs)") \
    X(ACK_ON_READ,          "Linux tcp_cleanup_rbuf", "the application read data whose ACK was held back: more than one full-sized segment, or a small or pushed one that emptied the buffer: ACK now") \
    /* Timeouts, §3.10.8 and RFC 6298, RFC 1122, Linux */ \
    X(FAST_RETRANSMIT,      "RFC 5681 3.2",      "third duplicate ACK: retransmit the missing segment now") \
    X(SACK_RECOVERY,        "RFC 6675 5",        "SACK loss recovery begins: the segment at SND.UNA is lost (third duplicate ACK, or IsLost); RecoveryPoint = SND.NXT") \
    X(SACK_RESEND_HOLE,     "RFC 6675 4",        "SACK loss recovery: resend a hole taken for lost (NextSeg rule 1), never SACKed data, each hole once") \
    X(RACK_LOST,            "RFC 8985 6.2",      "RACK: a hole sent before data the peer has SACKed is lost (3 segments SACKed, in recovery, or its reordering window passed): resend it") \
    X(TIMER_REORDER,        "RFC 8985 6.3",      "RACK's reordering timer: a hole below SACKed data not filled within a quarter of the smallest RTT is lost") \
    X(SACK_DSACK_SEND,      "RFC 2883 4",        "a duplicate segment: its range goes first in the SACK blocks of the ACK that answers it (D-SACK)") \
    X(SACK_DSACK_RCVD,      "RFC 2883 4",        "the peer reports a duplicate (D-SACK: the first block lies below SEG.ACK or inside the second): a retransmission was not needed") \
    X(TIMER_REXMIT,         "RFC 6298 5.4",      "retransmission timeout: resend the earliest unacknowledged segment, double the RTO (a SYN: not for the first tcp_syn_linear_timeouts)") \
    X(TIMER_TLP,            "RFC 8985 7.3",      "tail loss probe: no ACK within the probe timeout, resend the last segment; the RTO restarts from the probe") \
    X(HANDSHAKE_RTO_3S,     "RFC 6298 5.7",      "handshake done after a retransmitted SYN or SYN,ACK (no RTT sample): the RTO is re-initialized to 3 s") \
    X(TIMER_RETRIES1,       "RFC 1122 4.2.3.5",  "retransmissions reached R1 (tcp_retries1): advise the IP layer") \
    X(TIMER_SYN_GIVE_UP,    "RFC 1122 4.2.3.5",  "SYN retransmitted tcp_syn_retries times (Linux: for as long as that takes from 1 s doubling): give up, ETIMEDOUT") \
    X(TIMER_SYNACK_GIVE_UP, "RFC 1122 4.2.3.5",  "SYN,ACK retransmitted tcp_synack_retries times: drop the embryonic connection") \
    X(TIMER_DATA_GIVE_UP,   "RFC 1122 4.2.3.5",  "retransmitted tcp_retries2 times (Linux: for as long as that takes from rto_min doubling): give up, ETIMEDOUT") \
    X(TIMER_ORPHAN_GIVE_UP, "Linux tcp_orphan_retries", "a socket the application closed retransmitted tcp_orphan_retries (0: 8) times: deleted, nothing sent") \
    X(TIMER_USER_TIMEOUT,   "3.10.8",            "user timeout: connection aborted due to user timeout") \
    X(TIMER_TIME_WAIT,      "3.10.8",            "time-wait timeout (2MSL): delete the TCB") \
    X(TIMER_FIN_WAIT_2,     "Linux tcp_fin_timeout", "FIN-WAIT-2 of a closed (orphaned) socket times out") \
    X(TIMER_PERSIST,        "3.8.6.1",           "zero window: send a window probe") \
    X(TIMER_KEEPALIVE,      "RFC 1122 4.2.3.6",  "keep-alive: idle too long, send a probe <SEQ=SND.NXT-1> (= SND.UNA-1: nothing in flight)") \
    X(TIMER_KEEPALIVE_GIVE_UP, "RFC 1122 4.2.3.6, Linux tcp_keepalive_timer", "keep-alive: tcp_keepalive_probes unanswered, send a reset, ETIMEDOUT") \
    X(TIMER_DELACK,         "3.8.6.3",           "delayed-ACK timeout: acknowledge what was held back (Linux: the ACK timeout doubles; interactive no more)")

enum tcp_rule {
#define TCP_RULE_ENUM(id, section, text) TCP_RULE_##id,
    TCP_RULES(TCP_RULE_ENUM)
#undef TCP_RULE_ENUM
    TCP_RULE_COUNT
};

/* "3.10.7.4", for enum tcp_rule 'r'. */
const char *tcp_rule_section(enum tcp_rule r);
/* The one-line statement of the rule. */
const char *tcp_rule_text(enum tcp_rule r);
/* "SYN_SENT_SYN_ACK": the rule's identifier, for jsonl and coverage. */
const char *tcp_rule_name(enum tcp_rule r);

#endif
