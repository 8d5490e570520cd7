// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw-modemsim - the simulated module: shared state and the interfaces of
 * its parts.
 */
#ifndef MFW_SIM_H
#define MFW_SIM_H

#include <stdarg.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mfw_cme.h"
#include "mfw_models.h"

#define SIM_LINE_MAX	4096	/* longer command lines answer ERROR */
#define SIM_VER_MAX	64
#define SIM_TIMERS	16
#define SMS_SEPTETS	160	/* the longest single SMS, TS 23.040 9.2.3.24 */

struct sim;
struct remote;

/* --- timer.c: one-shot timers in the main loop ---------------------- */
typedef void (*sim_timer_fn)(struct sim *sim, long arg);
int64_t sim_now_ms(void);
int64_t sim_now_ns(void);
void sim_timer_add(struct sim *sim, long ms, sim_timer_fn fn, long arg);
void sim_timer_cancel(struct sim *sim, sim_timer_fn fn);
long sim_timer_next(struct sim *sim);	/* ms until the next one, -1: none */
void sim_timer_run(struct sim *sim);

/* --- transport.c: the wire ------------------------------------------ */
enum tp_kind { TP_PTY, TP_TTY, TP_FD };

struct transport {
	enum tp_kind kind;
	char *path;		/* --pty link or --tty device */
	char *gadget;		/* configfs gadget directory, or NULL */
	char *udc;		/* UDC name written back after a reboot */
	int fd;			/* -1 while the port is gone */
	int slave_fd;		/* pty: our handle on the slave side */
	char slave_name[128];
	long baud;		/* 0: as fast as the fd goes */
	long line_rate;		/* the module's UART rate, 0: none (sim->rate) */
	int64_t tx_clock, rx_clock;	/* per-byte schedule, ns */
	unsigned char *out;	/* bytes waiting to go to the host */
	size_t out_len, out_cap;
	bool up;
	bool keep;		/* --uart: a reboot leaves the port open */
	/*
	 * --usb-other-mode: after the first reboot the gadget enumerates
	 * for other_ms under MFW_SIM_OTHER_PID, a mode (boot, download)
	 * whose functions are not the AT port, before it comes back as
	 * itself.  other_state: 0 none, 1 on the next reboot, 2 in it, 3
	 * done.  other_fd reads (and counts) what the host sends meanwhile.
	 */
	long other_ms;
	int other_state;
	int64_t other_until;	/* ms, monotonic */
	int other_fd;
	long other_bytes;
	char pid[16];		/* the gadget's own idProduct */
	/*
	 * --usb-other-layout: the other mode keeps the IDs and changes the
	 * layout instead: a generic serial function (MFW_SIM_OTHER_FUNC)
	 * takes the AT port's interface, the AT port's function comes after
	 * it.  other_cfg is the configuration's directory, other_link the
	 * AT function's link in it and other_target what that link names.
	 */
	bool other_layout;
	char other_cfg[PATH_MAX];
	char other_link[NAME_MAX + 1];
	char other_target[PATH_MAX];
	char other_gs[32];	/* the generic serial function's ttyGS */
	int other_gs_fd;	/* reads (and counts) what the host sends it */
};

/* The product ID of --usb-other-mode: the simulator's choice. */
#define MFW_SIM_OTHER_PID	"0x30ff"
/* The function --usb-other-layout puts first (configfs "gser" function). */
#define MFW_SIM_OTHER_FUNC	"gser.mfwother"

int tp_open(struct sim *sim);
/*
 * At exit in another mode (--usb-other-mode, --usb-other-layout): the
 * gadget as it was made, bound.
 */
void tp_other_end(struct sim *sim);
void tp_close(struct sim *sim);
void tp_hangup(struct sim *sim);	/* port gone (reboot, disconnect) */
int tp_restore(struct sim *sim);	/* port back; 0 ok, -1 retry later */
void tp_write(struct sim *sim, const void *buf, size_t len);
int tp_flush(struct sim *sim);
/* Send what is queued now (at most 500 ms), e.g. before a rate change. */
void tp_flush_all(struct sim *sim);
/* The module's UART runs at @rate from now on (0: the host's, unchecked). */
void tp_set_rate(struct sim *sim, long rate);
int tp_read(struct sim *sim);
size_t tp_read_budget(struct sim *sim);
long tp_wait_ms(struct sim *sim);
const char *tp_name(struct sim *sim);

/* --- transcript.c ---------------------------------------------------- */
int transcript_open(const char *path);
void transcript_log(char dir, const void *buf, size_t len);
void transcript_event(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void transcript_close(void);

/* --- fault.c --------------------------------------------------------- */
enum fault_act {
	FA_ERROR, FA_DROP, FA_CORRUPT, FA_STALL, FA_GARBAGE, FA_URC,
	FA_DISCONNECT, FA_POWERLOSS, FA_CUT, FA_SMS, FA_RING, FA_NOISE,
	FA_EARLY, FA_LOSE, FA_GLUE, FA_SMS_BURST,
};
enum fault_where { FW_CMD, FW_OFFSET, FW_UPGRADE, FW_REPORT };

struct fault {
	enum fault_act act;
	long arg;		/* error code, byte count, stall ms */
	char text[SMS_SEPTETS + 1];	/* urc, sms or glue text, "\\r" and
					 * "\\n" unescaped */
	enum fault_where where;
	char cmd[32];		/* command name, upper case, no "AT"; or the
				 * start of a report, without its "+" */
	long nth;		/* nth matching command or report (1-based) */
	long seen;
	long pos;		/* byte offset or percent */
	bool fired;
};

int fault_parse(struct sim *sim, const char *spec);
int fault_load(struct sim *sim, const char *file);
struct fault *fault_cmd(struct sim *sim, const char *name);
struct fault *fault_offset(struct sim *sim, size_t from, size_t to);
bool fault_apply_data(struct sim *sim, const struct fault *f, size_t at,
		      unsigned char *data, size_t *len);
struct fault *fault_upgrade(struct sim *sim, int percent);
struct fault *fault_report(struct sim *sim, const char *line);

/* --- state.c: what survives a power cycle ---------------------------- */
enum dl_state {
	DL_IDLE = 0,		/* nothing or interrupted (resumable) */
	DL_RUNNING = 1,
	DL_DONE = 2,
	DL_FAILED = 3,		/* unrecoverable: AT+MFWERASE needed */
};

enum pkg_src { SRC_NONE, SRC_HEX, SRC_TRANSPARENT, SRC_REMOTE, SRC_SPECIAL };

enum up_stage {
	UP_NONE,		/* no upgrade under way */
	UP_FLASHING,		/* writing flash: power loss hurts here */
	UP_REBOOTING,		/* a planned reboot of the upgrade */
};

struct persist {
	char version[SIM_VER_MAX];
	size_t pkg_len;
	int pkg_src;
	bool erased;		/* AT+MFWERASE since the package was used */
	int dl_state;
	long dl_total;		/* -1: unknown */
	bool dl_resumable;	/* interrupted: AT+MFWDLOAD resumes */
	int dl_interrupts;
	char url[MFW_URL_MAX + 1];
	char user[MFW_AUTH_MAX + 1];
	char pass[MFW_AUTH_MAX + 1];
	long ival[MFW_CFG_NR];
	int up_stage;
	bool up_special;	/* which mfw_upgrade of the row applies */
	int up_reboots;		/* planned reboots done */
	bool up_fail;		/* the package will not apply */
	bool up_early;		/* outcome reported before the last reboot */
	char up_target[SIM_VER_MAX];
	bool bricked;
	bool network_off;	/* AT+CFUN=0 */
	long ipr;		/* AT+IPR as set and saved; -1: never set */
};

int state_load(struct sim *sim);
int state_save(struct sim *sim);
int state_pkg_write(struct sim *sim, size_t off, const void *buf,
		    size_t len);
void state_pkg_reset(struct sim *sim);

/* --- pkg.c: what the simulator reads inside an image ---------------- */
struct pkg_info {
	int kind;		/* enum mfw_pkg_kind */
	bool has_version;
	char version[SIM_VER_MAX];
	char base[SIM_VER_MAX];	/* "" unless the trailer names one */
	bool digest_bad;	/* trailer md5 does not match */
};

int pkg_kind(const unsigned char *buf, size_t len);
void pkg_inspect(const unsigned char *buf, size_t len, struct pkg_info *pi);
int pkg_digest(int algo, const unsigned char *buf, size_t len, char *hex,
	       size_t hexlen);

/* --- remote.c: libcurl downloads ------------------------------------ */
int remote_init(struct sim *sim);
void remote_exit(struct sim *sim);
int remote_start(struct sim *sim, bool special);
void remote_abort(struct sim *sim);
bool remote_active(struct sim *sim);
void remote_poll(struct sim *sim, int extra_fd, short events, long wait_ms,
		 short *revents);
void remote_perform(struct sim *sim);
void remote_tick(struct sim *sim);

/* --- at.c: the AT interpreter --------------------------------------- */
enum sim_mode {
	M_BOOT,			/* booting: input discarded */
	M_CMD,			/* reading command lines */
	M_BUSY,			/* a command is running; input waits */
	M_TRANSPARENT,		/* reading raw package bytes */
	M_DOWN,			/* port gone (reboot) */
	M_BRICKED,		/* answers nothing */
	M_AUTOBAUD,		/* booted, silent until the host sends "AT" */
};

void at_input(struct sim *sim);
void at_fault_line(struct sim *sim, const struct fault *f);
void at_line(struct sim *sim, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An unsolicited FOTA report, subject to the report= faults. */
void at_report(struct sim *sim, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void at_ok(struct sim *sim);
void at_error(struct sim *sim);
bool at_exec_form(struct sim *sim, char form);
void at_cme(struct sim *sim, int code);
void at_done(struct sim *sim);	/* the running command finished */

/* sms.c: the SIM card and its messages */
void sms_cpin(struct sim *sim, const char *args, char form);
void sms_cmgf(struct sim *sim, const char *args, char form);
void sms_cmgl(struct sim *sim, const char *args, char form);
int sms_pack(const char *text, unsigned char *ud, size_t *bad);
void sms_cmt(struct sim *sim, const char *text);

/* --- fota.c: the FOTA commands --------------------------------------- */
void fota_cfg(struct sim *sim, const char *args, char form);
void fota_dload(struct sim *sim, const char *args, char form);
void fota_check(struct sim *sim, const char *args, char form);
void fota_erase(struct sim *sim, const char *args, char form);
void fota_transparent_data(struct sim *sim);
void fota_dload_result(struct sim *sim, int err);
void fota_dload_progress(struct sim *sim, bool final);
void fota_dload_failed(struct sim *sim, bool resumable);
bool fota_pkg_complete(struct sim *sim);

/* --- upgrade.c: AT+MFWUPGRADE, reboots and boot ---------------------- */
void upgrade_cmd(struct sim *sim, const char *args, char form);
void upgrade_special_progress(struct sim *sim);
void upgrade_special_done(struct sim *sim, int err);
void sim_reboot(struct sim *sim);
void sim_boot_done(struct sim *sim, long arg);
void sim_power_loss(struct sim *sim);
void sim_recover(struct sim *sim);

/* --- the simulator ---------------------------------------------------- */
struct sim_timer {
	int64_t at;
	sim_timer_fn fn;
	long arg;
	bool used;
};

struct sim {
	const struct mfw_model *model;
	const struct mfw_submodel *sub;
	struct transport tp;
	struct persist p;
	char *state_path;
	unsigned char *pkg;		/* the package written so far */
	size_t pkg_cap;

	/* options */
	long boot_ms, cmd_delay_ms, flash_ms, second_ms, tp_timeout_ms;
	long upgrade_boot_ms;	/* boot time of an upgrade's reboots; -1: boot_ms */
	unsigned long fs_free;
	int max_retries;
	char *ca_file;
	int cmee_default;
	int sms_count;			/* --sms: messages on the SIM; -1: no SIM card */
	bool autobaud;			/* --autobaud */
	bool cgsn_uuid;			/* --cgsn-uuid */
	long rate;			/* the module's UART rate now; 0: follows the host */
	long rate_boot;			/* --rate: the rate at power-up unless AT+IPR saved one */
	long max_rate;			/* --max-rate: the board garbles the module's output above it */
	bool ipr_volatile;		/* --ipr-volatile: AT+IPR is forgotten at a reboot */
	int garbling;			/* what the wire does now (transport.c), for the transcript */
	char imei[16];			/* AT+CGSN: 15 digits */
	long early_ms;			/* fault "early": answers before the reboot */
	bool early_armed;		/* ... fired, for the upgrade it starts */
	bool early_pending;		/* ... its reboot is scheduled */

	/* AT interpreter */
	enum sim_mode mode;
	bool echo;
	int noise_next;			/* noise bytes to open the next line */
	int cmee;
	int sms_text;			/* AT+CMGF: 1 text mode, 0 PDU mode */
	unsigned char *inq;		/* received, not yet consumed */
	size_t inq_len, inq_cap;
	char line[SIM_LINE_MAX + 1];
	size_t line_len;
	bool line_long;
	char pending[SIM_LINE_MAX + 1];	/* line waiting for --cmd-delay-ms */
	bool stalled;
	long cmd_count;

	/* transparent write */
	size_t tp_want, tp_got;
	int tp_err;
	long tp_verdict_ms;	/* stall@offset: the verdict waits this long */

	/* remote download */
	struct remote *rm;
	bool dload_waiting;		/* AT+MFWDLOAD execute awaits 1st block */
	size_t dl_next_report;
	int up_last_percent;

	struct sim_timer timers[SIM_TIMERS];
	struct fault *faults;
	size_t nr_faults;
	volatile int quit;
	volatile int recover;
	/*
	 * SIGUSR2 is a test's cue (set by its handler): with
	 * --cmd-delay-after-signal, --cmd-delay-ms holds only from then on
	 * (at.c); with --flash-until-signal, flashing ends then, --flash-ms
	 * being its longest (upgrade.c).
	 */
	bool delay_after_signal;
	bool flash_until_signal;
	volatile sig_atomic_t cued;
};

void sim_bytes_in(struct sim *sim, const unsigned char *buf, size_t len);
int sim_pkg_put(struct sim *sim, size_t off, const unsigned char *buf,
		size_t len);

#endif /* MFW_SIM_H */
