/* The test suite's loopback guard, preloaded (LD_PRELOAD) into pytest and into every
 * dynamically linked process it starts (tests/support/network_guard.py, docs/adr/0016).
 *
 * Refused before anything is sent, with ENETUNREACH (what an offline machine answers):
 *   - connect, sendto, sendmsg, sendmmsg to an IPv4/IPv6 address outside 127.0.0.0/8 and ::1
 *     (an IPv4-mapped ::ffff:a.b.c.d is judged by a.b.c.d; 0.0.0.0 and :: reach this machine),
 *     to port 53 anywhere (a loopback DNS stub forwards outside), or of a family other than
 *     unix, netlink or AF_UNSPEC (judged as IPv4 when sending, see refused());
 *   - the libc resolver calls res_query, res_search and res_send (and their res_n forms).
 * Host names are looked up in /etc/hosts only: glibc's own DNS client sends through
 * libc-internal functions that no preload can interpose, so this library switches the
 * process's "hosts" database to "files". A getaddrinfo that /etc/hosts cannot answer is
 * recorded, unless the name is this machine's own.
 * Each refusal appends one line, "<pid> <what> <target>", to the file named by
 * SINDRI_TEST_NETWORK_LOG (stderr without it), where the test run finds it.
 * execve, execvpe, posix_spawn and posix_spawnp put this library and that variable back into
 * an environment that dropped them, so a child started with a clean environment is guarded
 * too. Statically linked programs, and Go's own network code, bypass libc: see the ADR. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LOG_VARIABLE "SINDRI_TEST_NETWORK_LOG"
#define DNS_PORT 53

extern int __nss_configure_lookup(const char *database, const char *services);

static char own_path[4096]; /* this library, for children whose environment dropped it */

/* libc's own functions, found once at load: a vfork child must not call dlsym. */
static struct {
    __typeof__(&connect) connect;
    __typeof__(&sendto) sendto;
    __typeof__(&sendmsg) sendmsg;
    __typeof__(&sendmmsg) sendmmsg;
    __typeof__(&getaddrinfo) getaddrinfo;
    __typeof__(&execve) execve;
    __typeof__(&execvpe) execvpe;
    __typeof__(&posix_spawn) posix_spawn;
    __typeof__(&posix_spawnp) posix_spawnp;
} real;

__attribute__((constructor)) static void guard_start(void) {
    Dl_info info;
    real.connect = dlsym(RTLD_NEXT, "connect");
    real.sendto = dlsym(RTLD_NEXT, "sendto");
    real.sendmsg = dlsym(RTLD_NEXT, "sendmsg");
    real.sendmmsg = dlsym(RTLD_NEXT, "sendmmsg");
    real.getaddrinfo = dlsym(RTLD_NEXT, "getaddrinfo");
    real.execve = dlsym(RTLD_NEXT, "execve");
    real.execvpe = dlsym(RTLD_NEXT, "execvpe");
    real.posix_spawn = dlsym(RTLD_NEXT, "posix_spawn");
    real.posix_spawnp = dlsym(RTLD_NEXT, "posix_spawnp");
    __nss_configure_lookup("hosts", "files");
    if (dladdr((void *)guard_start, &info) && info.dli_fname)
        snprintf(own_path, sizeof own_path, "%s", info.dli_fname);
}

/* ---- recording ------------------------------------------------------------------------ */

static void record(const char *what, const char *target) {
    char line[1200];
    const char *path = getenv(LOG_VARIABLE);
    int saved = errno, fd, length;
    length = snprintf(line, sizeof line, "%d %s %s\n", (int)getpid(), what, target);
    if (length > (int)sizeof line - 1)
        length = sizeof line - 1;
    fd = path && *path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600) : -1;
    if (write(fd >= 0 ? fd : STDERR_FILENO, line, length) < 0) {
        /* nowhere else to say it; the refusal itself still stands */
    }
    if (fd >= 0)
        close(fd);
    errno = saved;
}

/* The first question of a DNS message, as a dotted name ("?" when it is not one). */
static void question_name(const unsigned char *message, size_t size, char *name, size_t room) {
    size_t at = 12, used = 0;
    while (at < size && message[at] != 0 && message[at] < 64 && used + 1 < room) {
        size_t label = message[at++];
        if (used > 0)
            name[used++] = '.';
        for (; label > 0 && at < size && used + 1 < room; label--)
            name[used++] = (char)message[at++];
    }
    name[used] = '\0';
    if (used == 0)
        snprintf(name, room, "?");
}

/* ---- the address rule ----------------------------------------------------------------- */

static int loopback_ipv4(in_addr_t host_order) {
    return (host_order >> 24) == 127 || host_order == INADDR_ANY;
}

/* 1 and a printable target when sending to ``address`` is refused; NULL (a connected
 * socket's own peer) and addresses the kernel would reject anyway are left to the kernel.
 * AF_UNSPEC given to connect dissolves an association; given to sendto/sendmsg, Linux's
 * IPv4 UDP and raw sockets read it as AF_INET (a BSD compatibility rule), so it is judged so. */
static int refused(const struct sockaddr *address, socklen_t size, int sending, char *target,
                   size_t room, unsigned *port_out) {
    char text[INET6_ADDRSTRLEN];
    unsigned port;
    int local;
    if (address == NULL || size < sizeof(sa_family_t))
        return 0;
    switch (address->sa_family) {
    case AF_UNIX:
    case AF_NETLINK:
        return 0;
    case AF_UNSPEC:
        if (!sending)
            return 0;
        /* fall through */
    case AF_INET: {
        const struct sockaddr_in *in = (const struct sockaddr_in *)address;
        if (size < sizeof *in)
            return 0;
        local = loopback_ipv4(ntohl(in->sin_addr.s_addr));
        port = ntohs(in->sin_port);
        inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
        snprintf(target, room, "%s:%u", text, port);
        break;
    }
    case AF_INET6: {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)address;
        const struct in6_addr *a = &in6->sin6_addr;
        if (size < offsetof(struct sockaddr_in6, sin6_scope_id)) /* the kernel's minimum */
            return 0;
        if (IN6_IS_ADDR_V4MAPPED(a)) {
            in_addr_t mapped;
            memcpy(&mapped, &a->s6_addr[12], sizeof mapped);
            local = loopback_ipv4(ntohl(mapped));
        } else {
            local = IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a);
        }
        port = ntohs(in6->sin6_port);
        inet_ntop(AF_INET6, a, text, sizeof text);
        snprintf(target, room, "[%s]:%u", text, port);
        break;
    }
    default:
        snprintf(target, room, "address-family-%d", address->sa_family);
        return 1;
    }
    *port_out = port;
    return !local || port == DNS_PORT;
}

/* Records and refuses a connect (``sending`` 0) or a send of ``payload`` to ``address``;
 * 0 when it may go. */
static int refuse_send(const char *call, const struct sockaddr *address, socklen_t size,
                       int sending, const void *payload, size_t length) {
    char target[128], what[400];
    unsigned port = 0;
    if (!refused(address, size, sending, target, sizeof target, &port))
        return 0;
    if (payload != NULL && port == DNS_PORT) {
        char name[256];
        question_name(payload, length, name, sizeof name);
        snprintf(what, sizeof what, "%s(dns-query=%s)", call, name);
    } else {
        snprintf(what, sizeof what, "%s", call);
    }
    record(what, target);
    errno = ENETUNREACH;
    return 1;
}

/* ---- sockets -------------------------------------------------------------------------- */

int connect(int fd, const struct sockaddr *address, socklen_t size) {
    if (refuse_send("connect", address, size, 0, NULL, 0))
        return -1;
    return real.connect(fd, address, size);
}

ssize_t sendto(int fd, const void *buffer, size_t length, int flags,
               const struct sockaddr *address, socklen_t size) {
    if (refuse_send("sendto", address, size, 1, buffer, length))
        return -1;
    return real.sendto(fd, buffer, length, flags, address, size);
}

static int refuse_message(const char *call, const struct msghdr *message) {
    const struct iovec *first = message->msg_iovlen > 0 ? message->msg_iov : NULL;
    return refuse_send(call, message->msg_name, message->msg_namelen, 1,
                       first ? first->iov_base : NULL, first ? first->iov_len : 0);
}

ssize_t sendmsg(int fd, const struct msghdr *message, int flags) {
    if (message != NULL && refuse_message("sendmsg", message))
        return -1;
    return real.sendmsg(fd, message, flags);
}

int sendmmsg(int fd, struct mmsghdr *messages, unsigned int count, int flags) {
    for (unsigned int i = 0; messages != NULL && i < count; i++)
        if (refuse_message("sendmmsg", &messages[i].msg_hdr))
            return -1;
    return real.sendmmsg(fd, messages, count, flags);
}

/* ---- name lookups --------------------------------------------------------------------- */

/* Names whose failed lookup is no attempt to reach out: addresses, this machine's name. */
static int no_outside_name(const char *name, const struct addrinfo *hints) {
    unsigned char address[sizeof(struct in6_addr)];
    char mine[256];
    if (hints != NULL && (hints->ai_flags & AI_NUMERICHOST))
        return 1;
    if (inet_pton(AF_INET, name, address) == 1 || inet_pton(AF_INET6, name, address) == 1)
        return 1;
    return gethostname(mine, sizeof mine) == 0 && strcasecmp(mine, name) == 0;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **result) {
    int status = real.getaddrinfo(node, service, hints, result);
    int unanswered = status == EAI_NONAME || status == EAI_AGAIN || status == EAI_FAIL
#ifdef EAI_NODATA
                     || status == EAI_NODATA
#endif
        ;
    if (unanswered && node != NULL && !no_outside_name(node, hints))
        record("lookup", node);
    return status;
}

/* The resolver's own query functions would send through libc internals: refused outright.
 * Both the GLIBC_2.34 names and the older __res_* ones are defined. */
static int refuse_query(const char *call, const char *name) {
    record(call, name ? name : "?");
    h_errno = TRY_AGAIN;
    errno = ENETUNREACH;
    return -1;
}

#define QUERY(fn)                                                                          \
    int fn(const char *name, int class, int type, unsigned char *answer, int room) {       \
        (void)class, (void)type, (void)answer, (void)room;                                 \
        return refuse_query(#fn, name);                                                    \
    }
#define NQUERY(fn)                                                                         \
    int fn(void *state, const char *name, int class, int type, unsigned char *answer,      \
           int room) {                                                                     \
        (void)state, (void)class, (void)type, (void)answer, (void)room;                    \
        return refuse_query(#fn, name);                                                    \
    }
QUERY(res_query)
QUERY(res_search)
QUERY(__res_query)
QUERY(__res_search)
NQUERY(res_nquery)
NQUERY(res_nsearch)
NQUERY(__res_nquery)
NQUERY(__res_nsearch)

static int refuse_raw_query(const char *call, const unsigned char *message, int length) {
    char name[256];
    question_name(message, length > 0 ? (size_t)length : 0, name, sizeof name);
    return refuse_query(call, name);
}

int res_send(const unsigned char *message, int length, unsigned char *answer, int room) {
    (void)answer, (void)room;
    return refuse_raw_query("res_send", message, length);
}
int __res_send(const unsigned char *message, int length, unsigned char *answer, int room) {
    (void)answer, (void)room;
    return refuse_raw_query("__res_send", message, length);
}
int res_nsend(void *state, const unsigned char *message, int length, unsigned char *answer,
              int room) {
    (void)state, (void)answer, (void)room;
    return refuse_raw_query("res_nsend", message, length);
}
int __res_nsend(void *state, const unsigned char *message, int length, unsigned char *answer,
                int room) {
    (void)state, (void)answer, (void)room;
    return refuse_raw_query("__res_nsend", message, length);
}

/* ---- children ------------------------------------------------------------------------- */

/* ``environment`` with LD_PRELOAD naming this library and the log variable set, written
 * into ``out`` (room for its entries + 3). No allocation: callers may be vfork children. */
static char *const *guarded(char *const *environment, char **out, char *preload, size_t room) {
    const char *log = getenv(LOG_VARIABLE);
    size_t n = 0;
    int has_log = 0;
    if (environment == NULL || own_path[0] == '\0')
        return environment;
    snprintf(preload, room, "LD_PRELOAD=%s", own_path);
    for (char *const *entry = environment; *entry != NULL; entry++) {
        if (strncmp(*entry, "LD_PRELOAD=", 11) == 0) {
            if (strstr(*entry, own_path) != NULL)
                snprintf(preload, room, "%s", *entry);
            else if ((*entry)[11] != '\0')
                snprintf(preload, room, "LD_PRELOAD=%s:%s", own_path, *entry + 11);
            continue;
        }
        has_log |= strncmp(*entry, LOG_VARIABLE "=", sizeof LOG_VARIABLE) == 0;
        out[n++] = *entry;
    }
    out[n++] = preload;
    if (!has_log && log != NULL)
        out[n++] = (char *)log - sizeof LOG_VARIABLE; /* "NAME=value" as getenv found it */
    out[n] = NULL;
    return out;
}

static size_t entries(char *const *environment) {
    size_t n = 0;
    while (environment != NULL && environment[n] != NULL)
        n++;
    return n;
}

#define WITH_GUARD(environment, body)                                                      \
    do {                                                                                   \
        char *slots[entries(environment) + 3];                                             \
        char preload[8192];                                                                \
        char *const *env_guarded = guarded(environment, slots, preload, sizeof preload);   \
        body;                                                                              \
    } while (0)

int execve(const char *path, char *const argv[], char *const envp[]) {
    WITH_GUARD(envp, return real.execve(path, argv, env_guarded));
}

int execvpe(const char *file, char *const argv[], char *const envp[]) {
    WITH_GUARD(envp, return real.execvpe(file, argv, env_guarded));
}

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *actions,
                const posix_spawnattr_t *attributes, char *const argv[], char *const envp[]) {
    WITH_GUARD(envp, return real.posix_spawn(pid, path, actions, attributes, argv, env_guarded));
}

int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                 const posix_spawnattr_t *attributes, char *const argv[], char *const envp[]) {
    WITH_GUARD(envp, return real.posix_spawnp(pid, file, actions, attributes, argv, env_guarded));
}
