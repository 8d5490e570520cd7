// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - logind inhibitor lock and ModemManager inhibition over
 * GDBus and libmm-glib.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <libmm-glib.h>

#include "inhibit.h"
#include "port.h"
#include "sig.h"
#include "udev.h"
#include "util.h"

/* Longest a D-Bus call may take. */
#define MFW_DBUS_TIMEOUT_MS	10000
/* How often to look again for a modem ModemManager does not list yet. */
#define MFW_MM_POLL_MS		1000
/* Sleep between two looks at the bus while nothing is queued. */
#define MFW_MM_TICK_MS		50

struct mfw_inhibit {
	GDBusConnection *bus;
	int logind_fd;
	MMManager *mm;
	char *mm_uid;			/* the modem inhibited, or NULL */
	char mm_tty[MFW_NAME_MAX];	/* the tty it was taken for */
	bool mm_dropped;		/* let go as another module's */
};

static int mfw_logind_lock(struct mfw_inhibit *in, const char *why)
{
	GUnixFDList *fds = NULL;
	GError *err = NULL;
	GVariant *ret;
	gint32 idx;

	ret = g_dbus_connection_call_with_unix_fd_list_sync(in->bus,
		"org.freedesktop.login1", "/org/freedesktop/login1",
		"org.freedesktop.login1.Manager", "Inhibit",
		g_variant_new("(ssss)", MFW_INHIBIT_WHAT, "mfw", why, "block"),
		G_VARIANT_TYPE("(h)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
		MFW_DBUS_TIMEOUT_MS, NULL, &fds, NULL, &err);
	if (!ret) {
		mfw_info("no logind inhibitor lock (%s); make sure nothing shuts the system down during the upgrade",
			 err->message);
		g_error_free(err);
		return 0;
	}
	g_variant_get(ret, "(h)", &idx);
	in->logind_fd = g_unix_fd_list_get(fds, idx, &err);
	g_variant_unref(ret);
	g_object_unref(fds);
	if (in->logind_fd < 0) {
		mfw_warn("logind inhibitor lock: %s", err->message);
		g_error_free(err);
		return -EIO;
	}
	mfw_dbg("logind: shutdown, sleep and power keys blocked");
	return 0;
}

/* The modem ModemManager built on tty @tty, if any: its device UID. */
static char *mfw_mm_find(MMManager *mm, const char *tty)
{
	GList *objs, *o;
	char *uid = NULL;

	objs = g_dbus_object_manager_get_objects(G_DBUS_OBJECT_MANAGER(mm));
	for (o = objs; o && !uid; o = o->next) {
		MMModem *modem = mm_object_peek_modem(MM_OBJECT(o->data));
		MMModemPortInfo *ports = NULL;
		guint n = 0, i;

		if (!modem)
			continue;
		if (!mm_modem_get_ports(modem, &ports, &n))
			continue;
		for (i = 0; i < n; i++)
			if (ports[i].name && !strcmp(ports[i].name, tty))
				uid = g_strdup(mm_modem_get_device(modem));
		mm_modem_port_info_array_free(ports, n);
	}
	g_list_free_full(objs, g_object_unref);
	return uid;
}

/*
 * Let the bus deliver what it has (the modem list's updates) for @ms.
 * 0, or -EINTR for a signal to honour.
 */
static int mfw_mm_pump(unsigned int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end) {
		if (!g_main_context_iteration(NULL, FALSE) &&
		    mfw_sig_sleep(MFW_MM_TICK_MS) == -EINTR)
			return -EINTR;
	}
	return 0;
}

/*
 * Ask ModemManager to let go of device @uid.  1 when it did; 0 when it
 * does not know the device yet (NotFound) or knows it but has not
 * exported its modem yet (WrongState: it is still probing, and
 * ModemManager 1.20 inhibits only an exported modem); -EBUSY when it
 * refused.
 */
static int mfw_mm_try(struct mfw_inhibit *in, const char *uid, bool *probing)
{
	GError *err = NULL;

	if (mm_manager_inhibit_device_sync(in->mm, uid, NULL, &err)) {
		in->mm_uid = g_strdup(uid);
		return 1;
	}
	*probing = g_error_matches(err, MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE);
	if (*probing || g_error_matches(err, MM_CORE_ERROR, MM_CORE_ERROR_NOT_FOUND)) {
		g_error_free(err);
		return 0;
	}
	g_dbus_error_strip_remote_error(err);
	if (g_error_matches(err, MM_CORE_ERROR, MM_CORE_ERROR_IN_PROGRESS))
		mfw_err("ModemManager says %s is already inhibited by another program (fwupd, another mfw?); let it finish, then retry",
			uid);
	else
		mfw_err("ModemManager refused to let go of %s (%s); stop ModemManager or retry",
			uid, err->message);
	g_error_free(err);
	return -EBUSY;
}

static int mfw_mm_inhibit(struct mfw_inhibit *in, const char *tty,
			  unsigned int wait_ms)
{
	bool told = false, probing = false;
	unsigned int full = wait_ms;
	struct mfw_mm_view view;
	GError *err = NULL;
	gint64 t0, waited, probe_seen = -1;
	char *owner;
	int ret;

	/* Registers ModemManager's D-Bus error names with GIO. */
	(void)MM_CORE_ERROR;
	in->mm = mm_manager_new_sync(in->bus,
				     G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
				     NULL, &err);
	if (!in->mm) {
		mfw_info("ModemManager not reachable (%s); continuing", err->message);
		g_error_free(err);
		return 0;
	}
	/* Every call of ours is bounded, InhibitDevice() included. */
	g_dbus_proxy_set_default_timeout(mm_manager_peek_proxy(in->mm),
					 MFW_DBUS_TIMEOUT_MS);
	owner = g_dbus_object_manager_client_get_name_owner(
			G_DBUS_OBJECT_MANAGER_CLIENT(in->mm));
	if (!owner) {
		mfw_info("ModemManager is not running; continuing");
		return 0;
	}
	g_free(owner);
	if (mfw_tty_mm_view(tty, &view)) {
		memset(&view, 0, sizeof(view));
		view.age_ms = -1;
	}
	if (view.ignore[0]) {
		mfw_info("ModemManager leaves %s alone (udev sets %s); continuing",
			 tty, view.ignore);
		return 0;
	}
	/*
	 * ModemManager probes a port for a while after it appears before it
	 * lists a modem with it: give it until the port is @wait_ms old.
	 */
	if (view.age_ms >= 0)
		wait_ms = view.age_ms >= wait_ms ? 0 : wait_ms - view.age_ms;
	t0 = g_get_monotonic_time();
	for (;;) {
		char *uid = mfw_mm_find(in->mm, tty);

		/*
		 * The modem's own UID when it is listed; while ModemManager
		 * still probes, the UID udev says it will use.
		 */
		ret = 0;
		if (uid || view.uid[0])
			ret = mfw_mm_try(in, uid ? uid : view.uid, &probing);
		g_free(uid);
		if (ret < 0)
			return ret;
		waited = (g_get_monotonic_time() - t0) / 1000;
		if (ret > 0)
			snprintf(in->mm_tty, sizeof(in->mm_tty), "%s", tty);
		if (ret > 0) {
			if (told)
				mfw_info("ModemManager: modem %s inhibited after %lld s",
					 in->mm_uid, (long long)(waited + 999) / 1000);
			else
				mfw_info("ModemManager: modem %s inhibited", in->mm_uid);
			return 0;
		}
		/*
		 * A ModemManager that says it is probing the port is working
		 * on it: at boot it starts after the port appeared and probes
		 * every port at once, so the port's age says little.  It gets
		 * mm_wait from the moment it was first seen probing.
		 */
		if (probing && probe_seen < 0 && full) {
			probe_seen = waited;
			if (wait_ms < probe_seen + full)
				wait_ms = (unsigned int)(probe_seen + full);
			mfw_info("ModemManager is still probing %s; waiting up to %u s for its modem",
				 tty, (full + 999) / 1000);
			told = true;
		}
		if (waited >= wait_ms)
			break;
		if (!told)
			mfw_info("ModemManager does not know %s yet (it may still be probing it); waiting up to %u s",
				 tty, (unsigned int)(wait_ms - waited + 999) / 1000);
		told = true;
		if (mfw_mm_pump(MIN(MFW_MM_POLL_MS, wait_ms - waited)))
			return -EINTR;
	}
	/*
	 * Still probing when the wait is over: it would talk to the module
	 * during the upgrade, as a refusal would let it.
	 */
	if (probing) {
		mfw_err("ModemManager was still probing %s after %u s and would send it commands during the upgrade; retry, raise mm_wait, or stop ModemManager",
			tty, (unsigned int)((waited + 500) / 1000));
		return -EBUSY;
	}
	if (told)
		mfw_info("ModemManager did not take %s within %u s; continuing without its inhibition",
			 tty, (wait_ms + 999) / 1000);
	else
		mfw_info("ModemManager does not manage %s; continuing", tty);
	return 0;
}

int mfw_inhibit_take(const char *tty, const char *why, unsigned int mm_wait_ms,
		     struct mfw_inhibit **out)
{
	char name[MFW_NAME_MAX];
	struct mfw_inhibit *in;
	GError *err = NULL;
	int ret;

	/* ModemManager names ports by their kernel names, never by path. */
	if (tty) {
		mfw_tty_kernel_name(tty, name, sizeof(name));
		tty = name;
	}

	in = calloc(1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	in->logind_fd = -1;
	*out = in;
	in->bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &err);
	if (!in->bus) {
		mfw_info("no D-Bus system bus (%s): no logind lock, no ModemManager inhibition; make sure nothing else uses the module or powers the system down",
			 err->message);
		g_error_free(err);
		return 0;
	}
	ret = mfw_logind_lock(in, why);
	if (!ret && tty)
		ret = mfw_mm_inhibit(in, tty, mm_wait_ms);
	if (!ret && !tty) {
		/* ModemManager's part waits for mfw_inhibit_follow(). */
		in->mm = mm_manager_new_sync(in->bus,
					     G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
					     NULL, NULL);
		in->mm_dropped = true;
	}
	return ret;
}

/* Whether @name has an owner on @bus (a service that runs). */
static bool mfw_bus_has(GDBusConnection *bus, const char *name)
{
	GVariant *ret;
	gboolean has = FALSE;

	ret = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus",
		"/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
		g_variant_new("(s)", name), G_VARIANT_TYPE("(b)"),
		G_DBUS_CALL_FLAGS_NONE, MFW_DBUS_TIMEOUT_MS, NULL, NULL);
	if (ret) {
		g_variant_get(ret, "(b)", &has);
		g_variant_unref(ret);
	}
	return has;
}

void mfw_inhibit_probe(const char *tty, struct mfw_inhibit_plan *p)
{
	char name[MFW_NAME_MAX], *uid;
	struct mfw_mm_view view;
	GDBusConnection *bus;
	MMManager *mm;

	memset(p, 0, sizeof(*p));
	mfw_tty_kernel_name(tty, name, sizeof(name));
	bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, NULL);
	if (!bus)
		return;
	p->bus = true;
	p->logind = mfw_bus_has(bus, "org.freedesktop.login1");
	p->mm = mfw_bus_has(bus, "org.freedesktop.ModemManager1");
	if (p->mm && !mfw_tty_mm_view(name, &view))
		snprintf(p->mm_ignore, sizeof(p->mm_ignore), "%s", view.ignore);
	if (p->mm && !p->mm_ignore[0]) {
		mm = mm_manager_new_sync(bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
					 NULL, NULL);
		if (mm) {
			uid = mfw_mm_find(mm, name);
			snprintf(p->mm_uid, sizeof(p->mm_uid), "%s", uid ? uid : "");
			g_free(uid);
			g_object_unref(mm);
		}
	}
	g_object_unref(bus);
}

/* End ModemManager's inhibition of in->mm_uid, if any. */
static void mfw_mm_uninhibit(struct mfw_inhibit *in)
{
	GError *err = NULL;

	if (!in->mm_uid)
		return;
	if (!mm_manager_uninhibit_device_sync(in->mm, in->mm_uid, NULL, &err)) {
		mfw_warn("ModemManager uninhibit of %s: %s (it ends when mfw exits anyway)",
			 in->mm_uid, err->message);
		g_error_free(err);
	} else {
		mfw_dbg("ModemManager: modem %s released", in->mm_uid);
	}
	g_free(in->mm_uid);
	in->mm_uid = NULL;
	in->mm_tty[0] = '\0';
}

/*
 * The device UID of the modem with tty @tty: ModemManager's when it lists
 * one, else the one udev says it would use; NULL when neither knows.
 */
static char *mfw_mm_uid_of(struct mfw_inhibit *in, const char *tty)
{
	struct mfw_mm_view view;
	char *uid = in->mm ? mfw_mm_find(in->mm, tty) : NULL;

	if (!uid && !mfw_tty_mm_view(tty, &view) && view.uid[0])
		uid = g_strdup(view.uid);
	return uid;
}

/*
 * Whether the inhibited modem is the one with tty @name: by its device UID
 * when ModemManager or udev gives one (tty names are reused: another
 * module may have the module's old one), else by the name it was taken
 * for.
 */
static bool mfw_mm_holds(struct mfw_inhibit *in, const char *name)
{
	char *uid = mfw_mm_uid_of(in, name);
	bool same;

	same = uid ? !strcmp(uid, in->mm_uid) : !strcmp(in->mm_tty, name);
	g_free(uid);
	return same;
}

void mfw_inhibit_let_go(struct mfw_inhibit *in, const char *tty)
{
	char name[MFW_NAME_MAX];

	if (!in || !in->mm_uid)
		return;
	mfw_tty_kernel_name(tty, name, sizeof(name));
	if (!mfw_mm_holds(in, name))
		return;
	mfw_info("ModemManager: modem %s on %s is another module: it is ModemManager's again",
		 in->mm_uid, name);
	mfw_mm_uninhibit(in);
	in->mm_dropped = true;
}

int mfw_inhibit_follow(struct mfw_inhibit *in, const char *tty, bool moved)
{
	char name[MFW_NAME_MAX], *uid;
	int ret;

	if (!in || !in->mm || !(in->mm_dropped || (moved && in->mm_uid)))
		return 0;
	mfw_tty_kernel_name(tty, name, sizeof(name));
	if (in->mm_uid) {
		/* The same modem (its new tty after a reboot), or unknown. */
		uid = mfw_mm_uid_of(in, name);
		if (!uid || !strcmp(uid, in->mm_uid)) {
			g_free(uid);
			return 0;
		}
		mfw_info("ModemManager: the module's modem is %s (on %s), not %s: moving the inhibition",
			 uid, name, in->mm_uid);
		g_free(uid);
		mfw_mm_uninhibit(in);
	}
	/* A fresh view of the bus; no wait for probing: the module flashes. */
	g_object_unref(in->mm);
	in->mm = NULL;
	ret = mfw_mm_inhibit(in, name, 0);
	/* Not listed yet, or refused: asked again when it is found again. */
	in->mm_dropped = !in->mm_uid;
	return ret;
}

void mfw_inhibit_release(struct mfw_inhibit *in)
{
	if (!in)
		return;
	mfw_mm_uninhibit(in);
	if (in->mm)
		g_object_unref(in->mm);
	if (in->logind_fd >= 0)
		close(in->logind_fd);
	if (in->bus)
		g_object_unref(in->bus);
	free(in);
}
