/*
 * pusher.c - Kick's live chat: Pusher's protocol over a WebSocket
 * (libwebsockets), read in a thread of its own so the record loop never
 * waits on the network.  After "pusher:connection_established" the
 * client subscribes to chatrooms.ID.v2; each chat message or notice that
 * arrives is queued with its created_at (or its time of receipt) until
 * the record loop takes it (cf_live_take).  Pusher's pings are answered;
 * after activity_timeout seconds of silence the client pings, and after
 * 30 more it drops the connection.  A connection that fails or drops is
 * made again after 1, 2, 4 ... 30 s (jittered); an error 4000-4099 from
 * Pusher means "do not reconnect" and ends the chat with one warning.
 *
 * Debian's libwebsockets has no HTTP or SOCKS proxy support, and cookies
 * do not apply: the WebSocket goes straight to the host.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libwebsockets.h>

#include "cf.h"
#include "msg.h"

#define BACKOFF_MAX 30.0	/* seconds between connection attempts */
#define DEAD_AFTER 30.0		/* seconds of silence after our ping */
#define RX_MAX (1L << 20)	/* longest frame read */
#define NOUT 4			/* frames waiting to be sent */
#define OUT_MAX 256

static struct {
	pthread_t th;
	int started;
	pthread_mutex_t mu;	/* guards q, qn, qcap, skipped, fatal */
	kc_kickmsg *q;		/* received, not yet taken */
	size_t qn, qcap;
	size_t skipped;		/* frames that were not Pusher's */
	int fatal;		/* Pusher said not to reconnect */
	char fatal_why[400];
	volatile int stop;

	/* the service thread's own */
	struct lws_context *ctx;
	struct lws *wsi;
	lws_sorted_usec_list_t tick;
	char url[1200];		/* kept for messages */
	char addr[256], path[1024];
	int port, tls;
	long long room;
	volatile int subscribed;	/* on this connection (read by
				   cf_live_up from the record loop) */
	int ever;		/* subscribed at least once */
	double backoff, next_try, last_rx, pinged;
	int timeout;		/* activity_timeout */
	long drops, failures;
	char lasterr[300];
	char *rx;
	size_t rxn, rxcap;
	char out[NOUT][LWS_PRE + OUT_MAX];
	size_t outlen[NOUT];
	int nout;
	unsigned seed;
} P;

/* Queues a frame made by fn for sending. */
static void
send_frame(int (*fn)(char *, size_t))
{
	int n;

	if (P.wsi == NULL || P.nout == NOUT)
		return;
	n = fn(P.out[P.nout] + LWS_PRE, OUT_MAX);
	if (n < 0 || n >= OUT_MAX)
		return;
	P.outlen[P.nout++] = (size_t)n;
	lws_callback_on_writable(P.wsi);
}

static int
subscribe_frame(char *buf, size_t n)
{
	return kc_pusher_subscribe(buf, n, P.room);
}

/* The next attempt after a failure: backoff, doubling, jittered. */
static void
schedule_retry(void)
{
	double j = 0.75 + 0.5 * (double)rand_r(&P.seed) / RAND_MAX;

	P.next_try = cf_now() + P.backoff * j;
	P.backoff = P.backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : P.backoff * 2;
}

static void
connect_now(void)
{
	struct lws_client_connect_info ci;

	memset(&ci, 0, sizeof(ci));
	ci.context = P.ctx;
	ci.address = P.addr;
	ci.port = P.port;
	ci.path = P.path;
	ci.host = P.addr;
	ci.origin = "kick.com";	/* lws puts the scheme before it */
	ci.ssl_connection = P.tls ? LCCSCF_USE_SSL : 0;
	ci.pwsi = &P.wsi;
	P.subscribed = 0;
	P.nout = 0;
	P.rxn = 0;
	P.last_rx = cf_now();
	P.pinged = 0;
	if (lws_client_connect_via_info(&ci) == NULL) {
		P.wsi = NULL;
		P.failures++;
		schedule_retry();
	}
}

static void
on_frame(const char *buf, size_t len)
{
	kc_pusher_frame f;
	int kind;

	kind = kc_pusher_frame_read(buf, len, &f, NULL, 0);
	switch (kind) {
	case KC_PUSHER_ESTABLISHED:
		P.timeout = f.timeout;
		send_frame(subscribe_frame);
		break;
	case KC_PUSHER_SUBSCRIBED:
		P.subscribed = P.ever = 1;
		P.backoff = 1;
		break;
	case KC_PUSHER_PING:
		send_frame(kc_pusher_pong);
		break;
	case KC_PUSHER_ERROR:
		if (f.code >= 4000 && f.code <= 4099) {
			pthread_mutex_lock(&P.mu);
			P.fatal = 1;
			snprintf(P.fatal_why, sizeof(P.fatal_why), "Pusher "
			    "error %d: %s", f.code, f.message);
			pthread_mutex_unlock(&P.mu);
		} else
			snprintf(P.lasterr, sizeof(P.lasterr), "Pusher error "
			    "%d: %s", f.code, f.message);
		break;
	case KC_PUSHER_MESSAGE:
		if (!isfinite(f.msg.t))
			f.msg.t = cf_now();
		pthread_mutex_lock(&P.mu);
		if (P.qn == P.qcap) {
			size_t cap = P.qcap ? P.qcap * 2 : 256;
			kc_kickmsg *nq = realloc(P.q, cap * sizeof(*nq));

			if (nq == NULL) {
				pthread_mutex_unlock(&P.mu);
				kc_die(KC_EXIT_DATA, "out of memory");
			}
			P.q = nq;
			P.qcap = cap;
		}
		P.q[P.qn++] = f.msg;
		pthread_mutex_unlock(&P.mu);
		break;
	case KC_PUSHER_BAD:
		pthread_mutex_lock(&P.mu);
		P.skipped++;
		pthread_mutex_unlock(&P.mu);
		break;
	default:
		break;
	}
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		snprintf(P.lasterr, sizeof(P.lasterr), "%s", in ? (char *)in :
		    "connection failed");
		P.wsi = NULL;
		P.failures++;
		schedule_retry();
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		P.last_rx = cf_now();
		P.pinged = 0;
		if (P.rxn + len > (size_t)RX_MAX)
			return -1;	/* drop the connection */
		if (P.rxn + len + 1 > P.rxcap) {
			size_t cap = (P.rxn + len + 1) * 2;
			char *nr = realloc(P.rx, cap);

			if (nr == NULL)
				kc_die(KC_EXIT_DATA, "out of memory");
			P.rx = nr;
			P.rxcap = cap;
		}
		memcpy(P.rx + P.rxn, in, len);
		P.rxn += len;
		if (lws_is_final_fragment(wsi) &&
		    lws_remaining_packet_payload(wsi) == 0) {
			on_frame(P.rx, P.rxn);
			P.rxn = 0;
		}
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (P.nout > 0) {
			if (lws_write(wsi, (unsigned char *)P.out[0] + LWS_PRE,
			    P.outlen[0], LWS_WRITE_TEXT) < (int)P.outlen[0])
				return -1;
			memmove(P.out[0], P.out[1], (size_t)(P.nout - 1) *
			    sizeof(P.out[0]));
			memmove(P.outlen, P.outlen + 1, (size_t)(P.nout - 1) *
			    sizeof(P.outlen[0]));
			if (--P.nout > 0)
				lws_callback_on_writable(wsi);
		}
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (P.wsi == wsi && !P.stop) {
			P.wsi = NULL;
			P.drops++;
			snprintf(P.lasterr, sizeof(P.lasterr), "the connection "
			    "closed");
			schedule_retry();
		}
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* Once a second: (re)connects when due, pings a silent server, drops a
 * dead connection. */
static void
on_tick(lws_sorted_usec_list_t *sul)
{
	double t = cf_now();
	int fatal;

	(void)sul;
	pthread_mutex_lock(&P.mu);
	fatal = P.fatal;
	pthread_mutex_unlock(&P.mu);
	if (P.wsi == NULL && !fatal && t >= P.next_try)
		connect_now();
	else if (P.wsi != NULL && fatal)
		lws_set_timeout(P.wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
	else if (P.wsi != NULL && P.subscribed) {
		if (P.pinged == 0 && t - P.last_rx > P.timeout) {
			send_frame(kc_pusher_ping);
			P.pinged = t;
		} else if (P.pinged > 0 && t - P.pinged > DEAD_AFTER)
			lws_set_timeout(P.wsi, PENDING_TIMEOUT_CLOSE_SEND,
			    LWS_TO_KILL_ASYNC);
	}
	lws_sul_schedule(P.ctx, 0, &P.tick, on_tick, LWS_US_PER_SEC);
}

static void *
service(void *arg)
{
	(void)arg;
	lws_sul_schedule(P.ctx, 0, &P.tick, on_tick, 1);
	while (!P.stop)
		if (lws_service(P.ctx, 0) < 0)
			break;
	return NULL;
}

static const struct lws_protocols protocols[] = {
	{ .name = "kc-pusher", .callback = callback },
	{ .name = NULL }
};

int
cf_live_open(struct cf_chat *c, long long id, const struct cf_opts *o)
{
	struct lws_context_creation_info info;
	const char *prot, *addr, *path;
	char tmp[1200];

	c->wall = 1;
	c->error[0] = '\0';
	if (kc_pusher_url(P.url, sizeof(P.url), o->pusher, o->pusher_key) < 0 ||
	    strlen(P.url) >= sizeof(tmp)) {
		snprintf(c->error, sizeof(c->error), "Kick's live chat: \"%s\" "
		    "and key \"%s\" make no WebSocket URL (want ws:// or "
		    "wss://HOST)", o->pusher, o->pusher_key);
		c->source = CF_NONE;
		return -1;
	}
	memcpy(tmp, P.url, strlen(P.url) + 1);
	if (lws_parse_uri(tmp, &prot, &addr, &P.port, &path) != 0) {
		snprintf(c->error, sizeof(c->error), "Kick's live chat: %s: not "
		    "a URL", P.url);
		c->source = CF_NONE;
		return -1;
	}
	P.tls = strcmp(prot, "wss") == 0;
	snprintf(P.addr, sizeof(P.addr), "%s", addr);
	snprintf(P.path, sizeof(P.path), "/%s", path);
	P.room = id;
	P.backoff = 1;
	P.timeout = 120;
	P.seed = (unsigned)time(NULL) ^ (unsigned)id;
	pthread_mutex_init(&P.mu, NULL);
	lws_set_log_level(0, NULL);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	if ((P.ctx = lws_create_context(&info)) == NULL)
		kc_die(KC_EXIT_DATA, "libwebsockets: cannot create a context");
	if (pthread_create(&P.th, NULL, service, NULL) != 0)
		kc_die(KC_EXIT_DATA, "cannot start the live chat's thread");
	P.started = 1;
	c->source = CF_LIVE;
	c->until = cf_now();
	return 0;
}

void
cf_live_take(struct cf_chat *c, const struct cf_opts *o)
{
	kc_kickmsg *q;
	size_t n, i;
	int fatal;

	if (!P.started || c->source != CF_LIVE)
		return;
	pthread_mutex_lock(&P.mu);
	q = P.q;
	n = P.qn;
	P.q = NULL;
	P.qn = P.qcap = 0;
	c->skipped += P.skipped;
	P.skipped = 0;
	fatal = P.fatal;
	pthread_mutex_unlock(&P.mu);
	for (i = 0; i < n; i++)
		cf_chat_add(c, &q[i], o);
	free(q);
	c->until = cf_now();
	if (fatal) {
		kc_warn("Kick's live chat %s: %s; going on without chat",
		    P.url, P.fatal_why);
		c->source = CF_NONE;
	}
}

int
cf_live_up(void)
{
	return P.started && P.subscribed;
}

void
cf_live_close(void)
{
	struct timespec ts;

	if (!P.started)
		return;
	P.stop = 1;
	lws_cancel_service(P.ctx);
	/* a connection still looking up its host's name cannot be
	 * cancelled: it is left to the exit */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	if (pthread_timedjoin_np(P.th, NULL, &ts) != 0) {
		kc_warn("Kick's live chat %s: still connecting; not waiting "
		    "for it", P.url);
		P.started = 0;
		return;
	}
	lws_context_destroy(P.ctx);
	if (!P.ever)
		kc_warn("Kick's live chat %s: never subscribed (%ld failed "
		    "connections%s%s); no chat", P.url, P.failures,
		    P.lasterr[0] ? ", last: " : "", P.lasterr);
	else if (P.drops > 0 || P.failures > 0)
		kc_warn("Kick's live chat: %ld dropped and %ld failed "
		    "connections, made again", P.drops, P.failures);
	free(P.q);
	free(P.rx);
	pthread_mutex_destroy(&P.mu);
	P.started = 0;
}
