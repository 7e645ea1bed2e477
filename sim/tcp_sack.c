/*
 * tcp_sack.c - selective acknowledgments (RFC 2018, RFC 2883): the blocks a receiver reports,
 * and the scoreboard a sender keeps of them (RFC 6675 3). What the sender does with the
 * scoreboard, which segments it takes for lost and resends, is tcp_recovery.c.
 *
 * Receiving: an out-of-order segment held for reassembly puts its block first (RFC 2018 4),
 * as Linux's tcp_sack_new_ofo_skb does with its array of four; blocks the in-order data has
 * reached go; a duplicate is reported once, in a D-SACK block ahead of the others (RFC 2883,
 * setting tcp_dsack). Every ACK we send carries them (tcp_sack_fill) while any are left.
 *
 * Sending: each ACK's blocks join the scoreboard, the peer's SACKed ranges above SND.UNA,
 * sorted and merged; a D-SACK block is counted, not kept. Only a connection whose handshake
 * agreed on SACK (sack_ok) does any of this.
 *
 * The functions called from the per-segment path (tcp_seg_init, tcp_ack_new_data) run only
 * while data is out of order or SACKed; they are kept out of line (TCP_SACK_COLD), so that
 * link-time optimization does not inline them into their callers, which would then no longer
 * be inlined themselves (docs/performance.md, "SACK").
 */
#include "tcp_internal.h"

#ifdef __GNUC__
#define TCP_SACK_COLD __attribute__((noinline, cold))
#else
#define TCP_SACK_COLD
#endif

/* ---- receiving ----------------------------------------------------------------------------- */

/* Does block 'b' touch or overlap [seq, end)? Then it grows to cover both (Linux
   tcp_sack_extend). */
static bool
tcp_sack_extend(struct tcp_sack_block *b, uint32_t seq, uint32_t end)
{
    if (seq_gt(seq, b->right) || seq_gt(b->left, end))
        return false;
    if (seq_lt(seq, b->left))
        b->left = seq;
    if (seq_gt(end, b->right))
        b->right = end;
    return true;
}

TCP_SACK_COLD void
tcp_sack_rcv_ofo(struct tcp_conn *c, uint32_t seq, uint32_t end)
{
    if (!c->sack_ok)
        return;
    struct tcp_sack_block *sp = c->rcv_sack;
    int n = c->rcv_nsack, at = n;
    for (int i = 0; i < n; i++)
        if (tcp_sack_extend(&sp[i], seq, end)) {
            at = i;
            break;
        }
    struct tcp_sack_block first = {seq, end};
    if (at < n) {
        first = sp[at];
        /* the grown block may now reach others: they merge into it */
        for (int i = 0; i < n; i++) {
            if (i == at || !tcp_sack_extend(&first, sp[i].left, sp[i].right))
                continue;
            sp[i] = sp[--n];
            if (at == n)
                at = i;
            i = -1; /* look again: order does not matter until the move below */
        }
    } else if (n == TCP_SACK_MAX) {
        at = --n; /* all places taken: the oldest block is no longer reported */
    }
    /* RFC 2018 4: "The first SACK block ... MUST specify the contiguous block of data containing
       the segment which triggered this ACK"; the rest in the order they were last reported. */
    for (int i = at < n ? at : n; i > 0; i--)
        sp[i] = sp[i - 1];
    sp[0] = first;
    c->rcv_nsack = (uint8_t)(at < n ? n : n + 1);
    c->sack_report = true;
}

TCP_SACK_COLD void
tcp_sack_rcv_advance(struct tcp_conn *c)
{
    /* RFC 2018 4: a block is reported while its data is held out of order; once RCV.NXT has
       passed it the data is acknowledged in the ordinary way (Linux tcp_sack_remove). */
    int k = 0;
    for (int i = 0; i < c->rcv_nsack; i++)
        if (seq_gt(c->rcv_sack[i].left, c->rcv_nxt))
            c->rcv_sack[k++] = c->rcv_sack[i];
    c->rcv_nsack = (uint8_t)k;
    c->sack_report = k > 0 || c->dsack_due;
}

TCP_SACK_COLD void
tcp_sack_rcv_dup(struct tcp_conn *c, uint32_t seq, uint32_t end)
{
    /* RFC 2883 4: "If the data receiver receives a duplicate segment, it reports the
       duplicate in the first SACK block"; only the latest duplicate is kept (Linux
       tcp_dsack_set), and it is reported once. */
    if (!c->sack_ok || !c->host->cfg.dsack || !seq_lt(seq, end))
        return;
    c->dsack_due = true;
    c->sack_report = true;
    c->dsack.left = seq;
    c->dsack.right = end;
    tcp_note(c->host, c, TCP_RULE_SACK_DSACK_SEND);
}

TCP_SACK_COLD void
tcp_sack_fill(struct tcp_conn *c, struct tcp_seg *s)
{
    /* Forty octets of options hold four blocks, three beside a timestamp (RFC 2018 3). */
    int room = TCP_SACK_MAX - ((s->opt.present & TCP_OPT_TS) ? 1 : 0), n = 0;
    if (c->dsack_due) {
        s->opt.sack[n++] = c->dsack;
        c->dsack_due = false;
        c->sack_report = c->rcv_nsack > 0;
    }
    for (int i = 0; i < c->rcv_nsack && n < room; i++)
        s->opt.sack[n++] = c->rcv_sack[i];
    if (n > 0) {
        s->opt.present |= TCP_OPT_SACK;
        s->opt.nsack = (uint8_t)n;
    }
}

/* ---- sending: the scoreboard --------------------------------------------------------------- */

/* Put [left, right) into the scoreboard; true when it covers something it did not. */
static bool
tcp_board_add(struct tcp_conn *c, uint32_t left, uint32_t right)
{
    struct tcp_sack_block *b = c->board;
    int n = c->nboard, i = 0;
    while (i < n && seq_lt(b[i].right, left))
        i++; /* blocks wholly below it, not touching */
    if (i < n && seq_le(b[i].left, left) && seq_ge(b[i].right, right))
        return false; /* already known */
    if (i == n || seq_gt(b[i].left, right)) {
        /* apart from all: a new block at i */
        if (n == TCP_SACK_BOARD) {
            if (i == 0)
                return false; /* below every block kept, and no room: forget it instead */
            for (int k = 0; k < i - 1; k++)
                b[k] = b[k + 1]; /* the lowest block is forgotten, its place taken below */
            b[i - 1].left = left;
            b[i - 1].right = right;
            return true;
        }
        for (int k = n; k > i; k--)
            b[k] = b[k - 1];
        b[i].left = left;
        b[i].right = right;
        c->nboard = (uint8_t)(n + 1);
        return true;
    }
    /* it touches block i (and maybe the ones after): they merge */
    if (seq_lt(left, b[i].left))
        b[i].left = left;
    if (seq_gt(right, b[i].right))
        b[i].right = right;
    int j = i + 1;
    while (j < n && seq_le(b[j].left, b[i].right)) {
        if (seq_gt(b[j].right, b[i].right))
            b[i].right = b[j].right;
        j++;
    }
    for (int k = j; k < n; k++)
        b[i + 1 + k - j] = b[k];
    c->nboard = (uint8_t)(n - (j - i - 1));
    return true;
}

bool
tcp_sack_update(struct tcp_conn *c, const struct tcp_seg *seg)
{
    bool news = false;
    for (int i = 0; i < seg->opt.nsack && i < TCP_SACK_MAX; i++) {
        struct tcp_sack_block b = seg->opt.sack[i];
        /* RFC 2883 4: a first block below the cumulative ACK, or inside the second block,
           reports a duplicate, not data held out of order */
        if (i == 0 && (seq_le(b.right, seg->ack)
                       || (seg->opt.nsack > 1 && seq_ge(b.left, seg->opt.sack[1].left)
                           && seq_le(b.right, seg->opt.sack[1].right)))) {
            c->dsacks_rcvd++;
            tcp_note(c->host, c, TCP_RULE_SACK_DSACK_RCVD);
            continue;
        }
        /* RFC 2018 3 leaves a block's sense to the sender: one empty, reaching past what we
           sent, or below the cumulative ACK says nothing we can use (Linux tcp_is_sackblock_valid) */
        uint32_t una = seq_gt(seg->ack, c->snd_una) ? seg->ack : c->snd_una; /* an old ACK's too */
        if (!seq_lt(b.left, b.right) || seq_gt(b.right, c->snd_nxt) || seq_le(b.right, una))
            continue;
        if (seq_lt(b.left, una))
            b.left = una;
        news |= tcp_board_add(c, b.left, b.right);
    }
    return news;
}

TCP_SACK_COLD void
tcp_sack_acked(struct tcp_conn *c)
{
    /* SND.UNA moved: what lies below it is acknowledged for good, SACKed or not. Header
       prediction (tcp_predicted) lets an ACK without blocks through here alone: it can only
       shrink the scoreboard, so the one decision left is the reorder timer's. */
    int k = 0;
    for (int i = 0; i < c->nboard; i++) {
        if (seq_le(c->board[i].right, c->snd_una))
            continue;
        c->board[k] = c->board[i];
        if (seq_lt(c->board[k].left, c->snd_una))
            c->board[k].left = c->snd_una;
        k++;
    }
    c->nboard = (uint8_t)k;
    if (k == 0)
        tcp_timer_cancel(c, TCP_TIMER_REORDER); /* the holes were filled: it was reordering */
}

uint32_t
tcp_sack_bytes(const struct tcp_conn *c)
{
    uint32_t n = 0;
    for (int i = 0; i < c->nboard; i++)
        n += c->board[i].right - c->board[i].left;
    return n;
}
