/*
 * kc-web - the kc clip database and pipeline in a browser: generate clips
 * from a stream (kc-clip in the background, with progress and a timeline),
 * or analyse it, pick and nudge the highlights and cut those; rate clips
 * with the keyboard; browse, re-rate, download, delete and export them as
 * 9:16; see the statistics.  A small libmicrohttpd server over the same
 * database and programs as the command line; the page is static
 * HTML/CSS/JS shipped with kc and works offline.  Listens on 127.0.0.1
 * only unless told otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "opt.h"
#include "num.h"
#include "out.h"
#include "paths.h"
#include "web.h"

struct web W;

static const char usage_text[] =
"usage: kc-web [--listen ADDR:PORT] [--db PATH] [--clips DIR] [--static DIR]\n"
"\n"
"Serve kc's web interface: Generate (run kc-clip on a stream URL or media\n"
"file with live progress, a timeline of audio and video excitement and the\n"
"clips; or analyse only, tick the highlights wanted, nudge their start and\n"
"end, and cut those), Rate (the unrated clips, 1-5 stars by mouse or keys\n"
"1-5, auto-advance), Browse (filter, sort, play, re-rate, undo a rating,\n"
"download, delete, export as 9:16) and Stats.  The JSON API under /api/\n"
"is described in kc-web(1).  Stop with Ctrl-C.\n"
"\n"
"options:\n"
"  -l, --listen ADDR:PORT  where to listen (default 127.0.0.1:7860; a\n"
"                          numeric IPv4 or [IPv6] address; port 0 picks a\n"
"                          free one).  Anything but a loopback address\n"
"                          exposes your clips and database to the network\n"
"      --db PATH           clip database (default $KC_DB, else the config\n"
"                          file's db, else $XDG_DATA_HOME/kc/kc.db or\n"
"                          ~/.local/share/kc/kc.db)\n"
"      --clips DIR         where Generate cuts clips (default output_clips;\n"
"                          created when missing)\n"
"      --static DIR        the page's files (default: $KC_WEBDIR, else\n"
"                          found beside the program or in PREFIX/share/kc/web)\n"
"      --no-config         do not read the config file (nor do the\n"
"                          kc-clip and kc-db it runs)\n"
"  -h, --help              show this help\n"
"  -V, --version           show the version\n"
"\n"
"Files served: the page's, and those of the clips in the database, each at\n"
"exactly the path its row names (the clip, its poster, hover strip and 9:16\n"
"copy), wherever it is.  The config file ($KC_CONFIG, else\n"
"$XDG_CONFIG_HOME/kc/config or ~/.config/kc/config) gives kc-web its db;\n"
"kc-db rate reads its retrain-every.\n"
"\n"
"One job runs at a time; jobs are kept in memory only (the last 16).\n"
"Not implemented: user accounts, TLS (kc-web is meant for your own\n"
"machine).\n"
"\n"
"exit status: 0 stopped by SIGINT/SIGTERM, 1 cannot listen or a folder is\n"
"missing, 2 usage error.\n"
"environment: KC_DB, KC_CONFIG, KC_WEBDIR, and those of kc-clip, kc-cut\n"
"and kc-db.\n";

/* The page's folder: the one holding index.html. */
static int
find_static(const char *given, char *out, size_t n)
{
	static const char *const rel[] = { "../share/kc/web", "../web",
	    "../../web" };
	char dir[PATH_MAX], p[PATH_MAX * 2];
	const char *env = getenv("KC_WEBDIR");
	size_t i;

	if (given == NULL && env && *env)
		given = env;
	if (given) {
		snprintf(p, sizeof(p), "%s/index.html", given);
		return access(p, R_OK) == 0 && realpath(given, out) ? 0 : -1;
	}
	if (kc_exedir(dir, sizeof(dir)) != 0)
		return -1;
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s/index.html", dir, rel[i]);
		if (access(p, R_OK) != 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, rel[i]);
		if (realpath(p, out) && strlen(out) < n)
			return 0;
	}
	return -1;
}

/* A listening socket for "ADDR:PORT" / "[ADDR]:PORT" (numeric only). */
static int
listen_on(const char *spec)
{
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[48], port[16];
	const char *colon, *why;
	size_t hl;
	long v;
	int fd, one = 1, rc;

	if (spec[0] == '[') {
		colon = strstr(spec, "]:");
		if (colon == NULL)
			kc_usage_error("--listen: '%s': want [ADDR]:PORT", spec);
		hl = (size_t)(colon - spec - 1);
		colon++;
		spec++;
	} else {
		if ((colon = strrchr(spec, ':')) == NULL)
			kc_usage_error("--listen: '%s': want ADDR:PORT", spec);
		hl = (size_t)(colon - spec);
	}
	if (hl == 0 || hl >= sizeof(host) || strlen(colon + 1) >= sizeof(port))
		kc_usage_error("--listen: '%s': want ADDR:PORT", spec);
	memcpy(host, spec, hl);
	host[hl] = '\0';
	snprintf(port, sizeof(port), "%s", colon + 1);
	if (kc_parse_long(port, 0, 65535, &v, &why) != 0)
		kc_usage_error("--listen: port '%s': %s", port, why);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		kc_usage_error("--listen: '%s': want a numeric address (%s)",
		    host, gai_strerror(rc));
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		kc_die(KC_EXIT_DATA, "socket:");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0)
		kc_die(KC_EXIT_DATA, "cannot listen on %s:%s:", host, port);
	if (listen(fd, 64) != 0)
		kc_die(KC_EXIT_DATA, "listen:");
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
		kc_die(KC_EXIT_DATA, "getsockname:");
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		W.port = ntohs(s4->sin_port);
		W.loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
		snprintf(W.host, sizeof(W.host), "%s", host);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		W.port = ntohs(s6->sin6_port);
		W.loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
		snprintf(W.host, sizeof(W.host), "[%s]", host);
	}
	freeaddrinfo(ai);
	return fd;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	kc_warn("%s", msg);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "db", required_argument, NULL, 'D' },
		{ "clips", required_argument, NULL, 'C' },
		{ "static", required_argument, NULL, 'S' },
		{ "no-config", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *listen_spec = "127.0.0.1:7860", *db = NULL, *clips =
	    "output_clips", *statics = NULL;
	struct MHD_Daemon *d;
	kc_config *cfg;
	sigset_t set;
	int c, fd, sig;

	kc_setprog(argv[0]);
	kc_out_init();
	while ((c = getopt_long(argc, argv, "l:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': listen_spec = optarg; break;
		case 'D': db = optarg; break;
		case 'C': clips = optarg; break;
		case 'S': statics = optarg; break;
		case 'N': W.no_config = 1; break;
		case 'h': kc_opt_help(usage_text);
		case 'V': kc_opt_version();
		default: kc_opt_unknown(argv);
		}
	}
	if (optind < argc)
		kc_usage_error("no operands (got '%s')", argv[optind]);
	cfg = kc_opt_config(!W.no_config);
	db = kc_opt_db(db, cfg, 1);
	if (*db == '\0' || *clips == '\0')
		kc_usage_error("--db and --clips want a name");
	if (snprintf(W.db, sizeof(W.db), "%s", db) >= (int)sizeof(W.db))
		kc_usage_error("--db: name too long");
	if (kc_mkdirs(clips) != 0 || realpath(clips, W.clips) == NULL)
		kc_die(KC_EXIT_DATA, "%s:", clips);
	if (find_static(statics, W.statics, sizeof(W.statics)) != 0)
		kc_die(KC_EXIT_DATA, "the page's files (index.html) not found%s%s",
		    statics ? " in " : "; use --static DIR", statics ? statics :
		    "");
	/* the programs we run, found before any thread starts */
	(void)web_tool("kc-db");
	(void)web_tool("kc-clip");
	(void)web_tool("kc-cut");
	fd = listen_on(listen_spec);

	/* the threads inherit this: only sigwait below sees the signals */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    web_handler, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_NOTIFY_COMPLETED, web_done, NULL,
	    MHD_OPTION_UNESCAPE_CALLBACK, web_unescape, NULL,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)200,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
	    MHD_OPTION_END);
	if (d == NULL)
		kc_die(KC_EXIT_DATA, "cannot start the HTTP server");
	fprintf(stderr, "kc-web: listening on http://%s:%d/ (database %s, "
	    "clips %s)\n", W.host, W.port, W.db, W.clips);
	fflush(stderr);
	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "kc-web: stopping\n");
	MHD_stop_daemon(d);
	jobs_shutdown();
	kc_out_close();
	return KC_EXIT_OK;
}
