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
    X(CLOSE_LISTEN,         "3.10.4",            "CLOSE in LISTEN: delete the TCB") \
    X(CLOSE_SYN_SENT,       "3.10.4",            "CLOSE in SYN-SENT: delete the TCB, nothing sent") \
    X(CLOSE_SEND_FIN,       "3.10.4",            "CLOSE: queue a FIN after the pending data") \
    X(CLOSE_WAIT_FIN,       "3.10.4",            "CLOSE in CLOSE-WAIT: send FIN, wait for its ACK in LAST-ACK") \
    X(CLOSE_UNREAD_RST,     "RFC 1122 4.2.2.13", "CLOSE with unread received data: send RST, not FIN") \
    X(SHUTDOWN_SEND_FIN,    "3.10.4",            "shutdown of the sending side: FIN after the data, receiving goes on") \
    X(ABORT_RST,            "3.10.5",            "ABORT: send <SEQ=SND.NXT><CTL=RST>, flush the queues") \
    X(ABORT_SILENT,         "3.10.5",            "ABORT: delete the TCB, nothing sent") \
    X(HOST_CRASH,           "3.5.2",             "host crash: every TCB is forgotten and nothing is sent") \
    /* SEGMENT ARRIVES, §3.10.7.1 CLOSED */ \
    X(CLOSED_RST_DROP,      "3.10.7.1",          "CLOSED: an incoming RST is discarded") \
    X(CLOSED_SEND_RST,      "3.10.7.1",          "CLOSED: any other segment is answered with a RST") \
    /* §3.10.7.2 LISTEN */ \
    X(LISTEN_RST_IGNORE,    "3.10.7.2",          "LISTEN, first check for an RST: ignore it") \
    X(LISTEN_ACK_RST,       "3.10.7.2",          "LISTEN, second check for an ACK: send <SEQ=SEG.ACK><CTL=RST>") \
    X(LISTEN_SYN,           "3.10.7.2",          "LISTEN, third check for a SYN: new TCB in SYN-RECEIVED, send SYN,ACK") \
    X(LISTEN_BACKLOG_FULL,  "3.10.7.2",          "LISTEN: the backlog is full, the SYN is dropped (as Linux does)") \
    X(LISTEN_OTHER_DROP,    "3.10.7.2",          "LISTEN, fourth, other text or control: drop the segment") \
    /* §3.10.7.3 SYN-SENT */ \
    X(SYN_SENT_BAD_ACK_RST, "3.10.7.3",          "SYN-SENT, first check the ACK: unacceptable, send <SEQ=SEG.ACK><CTL=RST>") \
    X(SYN_SENT_BAD_ACK_DROP,"3.10.7.3",          "SYN-SENT: unacceptable ACK on an RST: drop it") \
    X(SYN_SENT_RST_REFUSED, "3.10.7.3",          "SYN-SENT, second check the RST: acceptable ACK, connection refused") \
    X(SYN_SENT_RST_DROP,    "3.10.7.3",          "SYN-SENT: an RST without an acceptable ACK is dropped (RFC 5961 §3)") \
    X(SYN_SENT_SYN_ACK,     "3.10.7.3",          "SYN-SENT, fourth check the SYN: our SYN is ACKed, ESTABLISHED") \
    X(SYN_SENT_SIM_OPEN,    "3.10.7.3",          "SYN-SENT: a SYN without ACK, simultaneous open, send SYN,ACK") \
    X(SYN_SENT_OTHER_DROP,  "3.10.7.3",          "SYN-SENT, fifth: neither SYN nor RST, drop the segment") \
    /* §3.10.7.4 the other states, step by step */ \
    X(SEQ_NOT_ACCEPTABLE,   "3.10.7.4",          "first check the sequence number: not acceptable, send ACK and drop") \
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
    X(TIME_WAIT_REOPEN,     "3.10.7.4",          "TIME-WAIT: a new SYN above RCV.NXT opens a new incarnation") \
    X(ACK_MISSING_DROP,     "3.10.7.4",          "fifth check the ACK field: ACK bit off, drop the segment") \
    X(SYN_RCVD_ACKED,       "3.10.7.4",          "fifth, SYN-RECEIVED: our SYN is ACKed, ESTABLISHED") \
    X(SYN_RCVD_BAD_ACK_RST, "3.10.7.4",          "fifth, SYN-RECEIVED: unacceptable ACK, send <SEQ=SEG.ACK><CTL=RST>") \
    X(ACK_RATE_LIMITED,     "RFC 5961 7",        "an unacceptable ACK again within tcp_invalid_ratelimit: no ACK in answer (ACK storm guard)") \
    X(ACK_TOO_NEW,          "3.10.7.4",          "fifth: ACK of data not yet sent, send ACK and drop") \
    X(FIN_WAIT_1_ACKED,     "3.10.7.4",          "fifth, FIN-WAIT-1: our FIN is ACKed, FIN-WAIT-2") \
    X(CLOSING_ACKED,        "3.10.7.4",          "fifth, CLOSING: our FIN is ACKed, TIME-WAIT") \
    X(LAST_ACK_ACKED,       "3.10.7.4",          "fifth, LAST-ACK: our FIN is ACKed, delete the TCB") \
    X(TEXT_IGNORED,         "3.10.7.4",          "seventh, process the text: after the peer's FIN, text is ignored") \
    X(SHUT_RD_DATA_RST,     "RFC 1122 4.2.2.13", "FIN-WAIT-1/2, receiving side shut (shutdown SHUT_RD): new data draws a RST, ECONNRESET (Linux tcp_rcv_state_process)") \
    X(FIN_NOT_SYNC_DROP,    "3.10.7.4",          "eighth: a FIN in CLOSED, LISTEN or SYN-SENT is not processed") \
    X(FIN_CLOSE_WAIT,       "3.10.7.4",          "eighth, check the FIN: ACK it, CLOSE-WAIT") \
    X(FIN_CLOSING,          "3.10.7.4",          "eighth, FIN-WAIT-1: our FIN not yet ACKed, simultaneous close, CLOSING") \
    X(FIN_TIME_WAIT,        "3.10.7.4",          "eighth, FIN-WAIT-1/2: our FIN ACKed, TIME-WAIT for 2MSL") \
    X(FIN_AGAIN,            "3.10.7.4",          "eighth: a retransmitted FIN, ACK it again") \
    X(FIN_TIME_WAIT_AGAIN,  "3.10.7.4",          "eighth, TIME-WAIT: retransmitted FIN, ACK it and restart 2MSL") \
    X(ACK_DELAYED,          "3.8.6.3",           "seventh, delayed ACK: less than two full-sized segments unacknowledged, hold the ACK back") \
    /* Timeouts, §3.10.8 and RFC 6298, RFC 1122, Linux */ \
    X(FAST_RETRANSMIT,      "RFC 5681 3.2",      "third duplicate ACK: retransmit the missing segment now") \
    X(TIMER_REXMIT,         "RFC 6298 5.4",      "retransmission timeout: resend the earliest unacknowledged segment, double the RTO") \
    X(TIMER_RETRIES1,       "RFC 1122 4.2.3.5",  "retransmissions reached R1 (tcp_retries1): advise the IP layer") \
    X(TIMER_SYN_GIVE_UP,    "RFC 1122 4.2.3.5",  "SYN retransmitted tcp_syn_retries times: give up, ETIMEDOUT") \
    X(TIMER_SYNACK_GIVE_UP, "RFC 1122 4.2.3.5",  "SYN,ACK retransmitted tcp_synack_retries times: drop the embryonic connection") \
    X(TIMER_DATA_GIVE_UP,   "RFC 1122 4.2.3.5",  "retransmitted tcp_retries2 times: give up, ETIMEDOUT") \
    X(TIMER_USER_TIMEOUT,   "3.10.8",            "user timeout: connection aborted due to user timeout") \
    X(TIMER_TIME_WAIT,      "3.10.8",            "time-wait timeout (2MSL): delete the TCB") \
    X(TIMER_FIN_WAIT_2,     "Linux tcp_fin_timeout", "FIN-WAIT-2 of a closed (orphaned) socket times out") \
    X(TIMER_PERSIST,        "3.8.6.1",           "zero window: send a window probe") \
    X(TIMER_KEEPALIVE,      "RFC 1122 4.2.3.6",  "keep-alive: idle too long, send a probe <SEQ=SND.NXT-1>") \
    X(TIMER_KEEPALIVE_GIVE_UP, "RFC 1122 4.2.3.6", "keep-alive: tcp_keepalive_probes unanswered, ETIMEDOUT") \
    X(TIMER_DELACK,         "3.8.6.3",           "delayed-ACK timeout: acknowledge the data held back")

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
