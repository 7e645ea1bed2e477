/*
 * seg.c - naming the control bits of a segment (RFC 9293 §3.1), for traces and scripts.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "tcpsim/seg.h"

static const struct {
    uint8_t bit;
    const char *name;
    char letter; /* tcpdump's letter */
} seg_flag_names[] = {
    /* RFC order, the order scripts and traces print them in */
    {TCP_SYN, "SYN", 'S'}, {TCP_FIN, "FIN", 'F'}, {TCP_RST, "RST", 'R'},
    {TCP_PSH, "PSH", 'P'}, {TCP_ACK, "ACK", '.'}, {TCP_URG, "URG", 'U'},
};
#define SEG_NFLAGS (sizeof seg_flag_names / sizeof seg_flag_names[0])

const char *
tcp_flags_str(uint8_t flags, char *buf, size_t cap)
{
    size_t n = 0;
    if (cap == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < SEG_NFLAGS; i++) {
        if (!(flags & seg_flag_names[i].bit))
            continue;
        size_t l = strlen(seg_flag_names[i].name);
        if (n + l + 2 > cap)
            break;
        if (n)
            buf[n++] = ',';
        memcpy(buf + n, seg_flag_names[i].name, l);
        n += l;
        buf[n] = '\0';
    }
    return buf;
}

/* One word: a flag name ("syn"), or a run of tcpdump letters ("S.", "FA"). */
static int
seg_parse_word(const char *w, size_t len, uint8_t *out)
{
    for (size_t i = 0; i < SEG_NFLAGS; i++) {
        if (len == 3 && strncasecmp(w, seg_flag_names[i].name, 3) == 0) {
            *out |= seg_flag_names[i].bit;
            return 0;
        }
    }
    for (size_t k = 0; k < len; k++) {
        size_t i;
        for (i = 0; i < SEG_NFLAGS; i++) {
            char c = seg_flag_names[i].letter;
            if (w[k] == c || (c != '.' && toupper((unsigned char)w[k]) == c)
                || (c == '.' && (w[k] == 'A' || w[k] == 'a')))
                break;
        }
        if (i == SEG_NFLAGS)
            return -1;
        *out |= seg_flag_names[i].bit;
    }
    return 0;
}

int
tcp_flags_parse(const char *text, uint8_t *out)
{
    uint8_t f = 0;
    const char *p = text;
    if (!text)
        return -1;
    while (*p) {
        while (*p == ',' || *p == '+' || *p == '|' || *p == ' ')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != ',' && *p != '+' && *p != '|' && *p != ' ')
            p++;
        if (seg_parse_word(start, (size_t)(p - start), &f) != 0)
            return -1;
    }
    *out = f;
    return 0;
}
