// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw-modemsim - a CMIoT OneMO module's FOTA command set on a pty, a tty
 * or an inherited fd, driven by mfw's capability table.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mfw_ipr.h"
#include "sim.h"

static struct sim *the_sim;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		the_sim->recover = 1;
	else if (sig == SIGUSR2)
		the_sim->cued = 1;
	else
		the_sim->quit = 1;
}

static void usage(FILE *f)
{
	fputs("usage: mfw-modemsim [options] (--pty LINK | --tty PATH | --fd N)\n"
	      "  --model NAME          family or sub-model (default ML307R-DC)\n"
	      "  --list-models         print the capability table's names\n"
	      "  --state FILE          persistent state (FILE and FILE.pkg)\n"
	      "  --recover             clear a bricked --state FILE and exit\n"
	      "  --pty LINK            new pty; LINK points at its slave\n"
	      "  --tty PATH            serve an existing tty (set raw)\n"
	      "  --fd N                serve an inherited file descriptor\n"
	      "  --uart                a reboot keeps the port open (a UART)\n"
	      "  --autobaud            silent after boot until the host sends AT\n"
	      "  --imei DIGITS         AT+CGSN's answer (15 digits, Luhn-checked)\n"
	      "  --cgsn-uuid           AT+CGSN answers a UUID, AT+CGSN=1 the IMEI\n"
	      "  --gadget DIR --udc NAME  USB gadget to unbind/rebind on reboot\n"
	      "  --usb-other-mode MS   with --gadget: the first time the module comes back,\n"
	      "                        MS ms under another product ID, answering nothing\n"
	      "  --usb-other-layout MS  the same with the IDs kept and another layout: a\n"
	      "                        generic serial function on the AT port's interface\n"
	      "  --boot-ms N           boot time (default 1000)\n"
	      "  --upgrade-boot-ms N   boot time of the reboots an upgrade makes,\n"
	      "                        the new firmware's first (default --boot-ms)\n"
	      "  --cmd-delay-ms N      processing time per command (default 0)\n"
	      "  --cmd-delay-after-signal  --cmd-delay-ms from the first SIGUSR2 on\n"
	      "  --flash-ms N          flashing time of an upgrade (default 2000)\n"
	      "  --flash-until-signal  flashing ends at SIGUSR2, --flash-ms at the latest\n"
	      "  --second-ms N         length of a module second (default 1000)\n"
	      "  --transparent-timeout-ms N  idle limit of a transparent write\n"
	      "  --baud N              throttle both directions to N/10 bytes/s\n"
	      "  --rate N              the module's UART rate at power-up (AT+IPR);\n"
	      "                        with --pty, a host at another rate gets garbage\n"
	      "  --max-rate N          the board garbles the module's output above N\n"
	      "  --ipr-volatile        AT+IPR is not saved: a reboot restores --rate\n"
	      "  --fs-free BYTES       free file-system space (default 8 MiB)\n"
	      "  --version VER         firmware version of a fresh module\n"
	      "                        (--version alone: this program's version)\n"
	      "  --ca-file PEM         CA for families that verify HTTPS\n"
	      "  --max-retries N       interruptions tolerated (default 3)\n"
	      "  --cmee N              AT+CMEE after boot (default 1)\n"
	      "  --sms N               a SIM card holding N text messages (0..255;\n"
	      "                        default: no SIM card)\n"
	      "  --transcript FILE     log both directions\n"
	      "  --fault SPEC          inject a fault (repeatable)\n"
	      "  --faults FILE         faults, one per line\n", f);
}

static void list_models(void)
{
	for (size_t i = 0; i < mfw_model_count(); i++) {
		const struct mfw_model *m = mfw_model_get(i);

		printf("%s", m->name);
		for (int j = 0; m->subs[j].name; j++)
			printf(" %s", m->subs[j].name);
		putchar('\n');
	}
}

/* Luhn check digit of the first @n digits of @d (3GPP TS 23.003 6.2.1). */
static int luhn(const char *d, int n)
{
	int sum = 0;

	for (int i = 0; i < n; i++) {
		int v = (d[i] - '0') * (i % 2 ? 2 : 1);

		sum += v > 9 ? v - 9 : v;
	}
	return (10 - sum % 10) % 10;
}

/*
 * A stable IMEI for a sub-model: a fixed type allocation code (not a real
 * manufacturer's), a serial from the name's FNV-1a hash, the check digit.
 */
static void make_imei(char imei[16], const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	snprintf(imei, 16, "86999900%06u", (unsigned int)(h % 1000000));
	imei[14] = (char)('0' + luhn(imei, 14));
	imei[15] = '\0';
}

static long opt_num(const char *name, const char *s)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (!*s || *end || v < 0) {
		fprintf(stderr, "mfw-modemsim: bad %s \"%s\"\n", name, s);
		exit(2);
	}
	return v;
}

enum {
	O_MODEL = 256, O_LIST, O_STATE, O_RECOVER, O_PTY, O_TTY, O_FD,
	O_GADGET, O_UDC, O_BOOT, O_UPGRADE_BOOT, O_DELAY, O_FLASH, O_SECOND, O_TPTIMEOUT,
	O_BAUD, O_FSFREE, O_VERSION, O_CA, O_RETRIES, O_CMEE, O_TRANSCRIPT,
	O_FAULT, O_FAULTS, O_HELP, O_UART, O_AUTOBAUD, O_IMEI, O_CGSN_UUID, O_RATE,
	O_MAX_RATE, O_IPR_VOLATILE, O_OTHER_MODE, O_SMS, O_DELAY_SIGNAL,
	O_FLASH_SIGNAL, O_OTHER_LAYOUT,
};

static const struct option options[] = {
	{ "model", required_argument, NULL, O_MODEL },
	{ "list-models", no_argument, NULL, O_LIST },
	{ "state", required_argument, NULL, O_STATE },
	{ "recover", no_argument, NULL, O_RECOVER },
	{ "pty", required_argument, NULL, O_PTY },
	{ "tty", required_argument, NULL, O_TTY },
	{ "fd", required_argument, NULL, O_FD },
	{ "uart", no_argument, NULL, O_UART },
	{ "autobaud", no_argument, NULL, O_AUTOBAUD },
	{ "imei", required_argument, NULL, O_IMEI },
	{ "cgsn-uuid", no_argument, NULL, O_CGSN_UUID },
	{ "gadget", required_argument, NULL, O_GADGET },
	{ "udc", required_argument, NULL, O_UDC },
	{ "usb-other-mode", required_argument, NULL, O_OTHER_MODE },
	{ "usb-other-layout", required_argument, NULL, O_OTHER_LAYOUT },
	{ "sms", required_argument, NULL, O_SMS },
	{ "boot-ms", required_argument, NULL, O_BOOT },
	{ "upgrade-boot-ms", required_argument, NULL, O_UPGRADE_BOOT },
	{ "cmd-delay-ms", required_argument, NULL, O_DELAY },
	{ "cmd-delay-after-signal", no_argument, NULL, O_DELAY_SIGNAL },
	{ "flash-until-signal", no_argument, NULL, O_FLASH_SIGNAL },
	{ "flash-ms", required_argument, NULL, O_FLASH },
	{ "second-ms", required_argument, NULL, O_SECOND },
	{ "transparent-timeout-ms", required_argument, NULL, O_TPTIMEOUT },
	{ "baud", required_argument, NULL, O_BAUD },
	{ "rate", required_argument, NULL, O_RATE },
	{ "max-rate", required_argument, NULL, O_MAX_RATE },
	{ "ipr-volatile", no_argument, NULL, O_IPR_VOLATILE },
	{ "fs-free", required_argument, NULL, O_FSFREE },
	{ "version", required_argument, NULL, O_VERSION },
	{ "ca-file", required_argument, NULL, O_CA },
	{ "max-retries", required_argument, NULL, O_RETRIES },
	{ "cmee", required_argument, NULL, O_CMEE },
	{ "transcript", required_argument, NULL, O_TRANSCRIPT },
	{ "fault", required_argument, NULL, O_FAULT },
	{ "faults", required_argument, NULL, O_FAULTS },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

static void start_boot(struct sim *sim, long arg)
{
	(void)arg;
	sim_boot_done(sim, 0);
}

static void serve(struct sim *sim)
{
	int64_t hup_until = 0;

	while (!sim->quit) {
		long wait = sim_timer_next(sim), w;
		short ev = 0, rev = 0;

		if (sim->recover) {
			sim->recover = 0;
			sim_recover(sim);
		}
		if (sim->inq_len && (sim->mode == M_CMD ||
				     sim->mode == M_TRANSPARENT ||
				     sim->mode == M_AUTOBAUD))
			at_input(sim);
		if (tp_flush(sim) < 0)
			sim->tp.out_len = 0;

		w = tp_wait_ms(sim);
		if (w >= 0 && (wait < 0 || w < wait))
			wait = w;
		if (remote_active(sim) && (wait < 0 || wait > 50))
			wait = 50;
		if (wait < 0 || wait > 200)
			wait = 200;
		/*
		 * A UART stays wired while the module is down: what the host
		 * sends then is read, logged and lost (tp_read()).
		 */
		if (sim->tp.fd >= 0 && (sim->tp.up || sim->tp.keep) &&
		    sim_now_ms() >= hup_until) {
			if (tp_read_budget(sim))
				ev |= POLLIN;
			if (sim->tp.up && sim->tp.out_len)
				ev |= POLLOUT;
		}
		remote_poll(sim, sim->tp.fd, ev, wait, &rev);
		if (rev & POLLIN || (ev && rev & (POLLHUP | POLLERR))) {
			if (tp_read(sim) < 0) {
				/* Nobody on the other side for now. */
				hup_until = sim_now_ms() + 100;
				if (sim->tp.kind == TP_TTY && sim->tp.up &&
				    sim->mode != M_DOWN) {
					tp_close(sim);
					sim_timer_add(sim, 100, sim_boot_done,
						      1);
				}
			}
		}
		remote_perform(sim);
		sim_timer_run(sim);
		remote_tick(sim);
	}
}

int main(int argc, char **argv)
{
	static struct sim sim;
	const char *model = "ML307R-DC", *version = NULL;
	bool recover = false;
	int opt, ret = 0;
	struct sigaction sa = { .sa_handler = on_signal };

	the_sim = &sim;
	sim.tp.kind = -1;
	sim.tp.fd = -1;
	sim.tp.slave_fd = -1;
	sim.boot_ms = 1000;
	sim.upgrade_boot_ms = -1;
	sim.flash_ms = 2000;
	sim.second_ms = 1000;
	sim.tp_timeout_ms = 10000;
	sim.fs_free = 8ul << 20;
	sim.max_retries = 3;
	sim.cmee_default = 1;
	sim.sms_count = -1;

	/* Alone, --version is the program's; with a value, the firmware's. */
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("mfw-modemsim %s\n", MFW_VERSION);
		return 0;
	}
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case O_MODEL:
			model = optarg;
			break;
		case O_LIST:
			list_models();
			return 0;
		case O_STATE:
			sim.state_path = optarg;
			break;
		case O_RECOVER:
			recover = true;
			break;
		case O_PTY:
			sim.tp.kind = TP_PTY;
			sim.tp.path = optarg;
			break;
		case O_TTY:
			sim.tp.kind = TP_TTY;
			sim.tp.path = optarg;
			break;
		case O_UART:
			sim.tp.keep = true;
			break;
		case O_AUTOBAUD:
			sim.autobaud = true;
			break;
		case O_CGSN_UUID:
			sim.cgsn_uuid = true;
			break;
		case O_IMEI:
			if (strlen(optarg) != 15 ||
			    strspn(optarg, "0123456789") != 15 ||
			    luhn(optarg, 14) != optarg[14] - '0') {
				fprintf(stderr, "mfw-modemsim: bad --imei \"%s\": 15 digits, the last a Luhn check digit\n",
					optarg);
				return 2;
			}
			memcpy(sim.imei, optarg, 16);
			break;
		case O_FD:
			sim.tp.kind = TP_FD;
			sim.tp.fd = (int)opt_num("fd", optarg);
			break;
		case O_GADGET:
			sim.tp.gadget = optarg;
			break;
		case O_UDC:
			sim.tp.udc = optarg;
			break;
		case O_SMS:
			if (opt_num("sms", optarg) > 255) {
				fputs("mfw-modemsim: --sms takes 0..255 messages\n", stderr);
				return 2;
			}
			sim.sms_count = (int)opt_num("sms", optarg);
			break;
		case O_OTHER_MODE:
		case O_OTHER_LAYOUT:
			if (sim.tp.other_state) {
				fputs("mfw-modemsim: give one of --usb-other-mode and"
				      " --usb-other-layout, once\n", stderr);
				return 2;
			}
			sim.tp.other_layout = opt == O_OTHER_LAYOUT;
			sim.tp.other_ms = opt_num(opt == O_OTHER_LAYOUT ? "usb-other-layout" :
						  "usb-other-mode", optarg);
			sim.tp.other_state = 1;
			break;
		case O_BOOT:
			sim.boot_ms = opt_num("boot-ms", optarg);
			break;
		case O_UPGRADE_BOOT:
			sim.upgrade_boot_ms = opt_num("upgrade-boot-ms", optarg);
			break;
		case O_DELAY:
			sim.cmd_delay_ms = opt_num("cmd-delay-ms", optarg);
			break;
		case O_DELAY_SIGNAL:
			sim.delay_after_signal = true;
			break;
		case O_FLASH_SIGNAL:
			sim.flash_until_signal = true;
			break;
		case O_FLASH:
			sim.flash_ms = opt_num("flash-ms", optarg);
			break;
		case O_SECOND:
			sim.second_ms = opt_num("second-ms", optarg);
			break;
		case O_TPTIMEOUT:
			sim.tp_timeout_ms = opt_num("transparent-timeout-ms",
						    optarg);
			break;
		case O_BAUD:
			sim.tp.baud = opt_num("baud", optarg);
			break;
		case O_RATE:
			sim.rate_boot = opt_num("rate", optarg);
			break;
		case O_MAX_RATE:
			sim.max_rate = opt_num("max-rate", optarg);
			break;
		case O_IPR_VOLATILE:
			sim.ipr_volatile = true;
			break;
		case O_FSFREE:
			sim.fs_free = opt_num("fs-free", optarg);
			break;
		case O_VERSION:
			version = optarg;
			break;
		case O_CA:
			sim.ca_file = optarg;
			break;
		case O_RETRIES:
			sim.max_retries = (int)opt_num("max-retries", optarg);
			break;
		case O_CMEE:
			sim.cmee_default = (int)opt_num("cmee", optarg);
			if (sim.cmee_default > 2)
				sim.cmee_default = 2;
			break;
		case O_TRANSCRIPT:
			if (transcript_open(optarg)) {
				perror(optarg);
				return 2;
			}
			break;
		case O_FAULT:
			if (fault_parse(&sim, optarg))
				return 2;
			break;
		case O_FAULTS:
			if (fault_load(&sim, optarg))
				return 2;
			break;
		case O_HELP:
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	sim.model = mfw_model_find(model, strlen(model), &sim.sub);
	if (!sim.model) {
		fprintf(stderr, "mfw-modemsim: unknown model \"%s\" (see --list-models)\n",
			model);
		return 2;
	}
	if ((sim.tp.gadget != NULL) != (sim.tp.udc != NULL) ||
	    (sim.tp.gadget && sim.tp.kind != TP_TTY)) {
		fputs("mfw-modemsim: --gadget needs --udc and --tty\n", stderr);
		return 2;
	}
	if (sim.tp.other_state && !sim.tp.gadget) {
		fputs(sim.tp.other_layout ? "mfw-modemsim: --usb-other-layout needs --gadget\n" :
		      "mfw-modemsim: --usb-other-mode needs --gadget\n", stderr);
		return 2;
	}

	snprintf(sim.p.version, sizeof(sim.p.version), "%s-MBRH0S01",
		 sim.sub->name);
	if (!sim.imei[0])
		make_imei(sim.imei, sim.sub->name);
	if (version)
		snprintf(sim.p.version, sizeof(sim.p.version), "%s", version);
	for (int k = MFW_CFG_TIMEOUT; k < MFW_CFG_NR; k++)
		sim.p.ival[k] = sim.model->range[k].def;
	sim.p.dl_total = -1;
	sim.p.ipr = -1;
	if (state_load(&sim)) {
		fprintf(stderr, "mfw-modemsim: %s: %s\n", sim.state_path,
			strerror(errno));
		return 1;
	}
	if (recover) {
		if (!sim.state_path) {
			fputs("mfw-modemsim: --recover needs --state\n", stderr);
			return 2;
		}
		sim.p.bricked = false;
		sim.p.up_stage = UP_NONE;
		sim.p.up_reboots = 0;
		state_pkg_reset(&sim);
		sim.p.dl_state = DL_IDLE;
		ret = state_save(&sim) ? 1 : 0;
		free(sim.pkg);
		return ret;
	}
	if ((int)sim.tp.kind < 0) {
		usage(stderr);
		return 2;
	}
	if (sim.rate_boot && !mfw_ipr_supported(sim.model->name, sim.rate_boot)) {
		fprintf(stderr, "mfw-modemsim: --rate %ld is not a rate of the %s family\n",
			sim.rate_boot, sim.model->name);
		return 2;
	}
	if (sim.ipr_volatile && sim.p.ipr >= 0) {
		/* A state saved by a module that kept its rate: forget it. */
		sim.p.ipr = -1;
	}
	tp_set_rate(&sim, sim.p.ipr >= 0 ? sim.p.ipr : sim.rate_boot);

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (remote_init(&sim)) {
		fputs("mfw-modemsim: libcurl init failed\n", stderr);
		return 1;
	}
	while (tp_open(&sim)) {
		if (sim.tp.kind != TP_TTY || !sim.tp.gadget) {
			fprintf(stderr, "mfw-modemsim: cannot open %s: %s\n",
				sim.tp.path ? sim.tp.path : "fd",
				strerror(errno));
			remote_exit(&sim);
			return 1;
		}
		usleep(100000);	/* the gadget tty appears late */
	}
	sim.echo = true;
	sim.cmee = sim.cmee_default;
	sim.mode = M_BOOT;
	transcript_event("start %s (%s) version %s", sim.sub->name,
			 sim.model->name, sim.p.version);
	fprintf(stderr, "mfw-modemsim: ready %s\n", tp_name(&sim));
	sim_timer_add(&sim, sim.boot_ms, start_boot, 0);

	serve(&sim);

	remote_abort(&sim);
	state_save(&sim);
	tp_other_end(&sim);
	tp_close(&sim);
	if (sim.tp.kind == TP_PTY)
		unlink(sim.tp.path);
	remote_exit(&sim);
	transcript_event("exit");
	transcript_close();
	free(sim.pkg);
	free(sim.inq);
	free(sim.tp.out);
	free(sim.faults);
	return 0;
}
