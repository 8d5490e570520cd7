# SPDX-License-Identifier: GPL-2.0-only
"""python-dbusmock template: the part of ModemManager 1.20's D-Bus API that
mfw uses, with its documented behaviour.

- /org/freedesktop/ModemManager1 is an ObjectManager; each modem is an
  object with the org.freedesktop.ModemManager1.Modem interface, whose
  Device property is the device UID and Ports lists (name, type).
- InhibitDevice(uid, true) takes a listed modem.  A device it knows but
  still probes (AddProbing), whose modem is not exported yet, gives
  Core.WrongState "Modem not exported in the bus" (mm_device_inhibit() of
  ModemManager 1.20); a device it does not know Core.NotFound; one
  inhibited already Core.InProgress.
  An inhibited device's modem leaves the list; it comes back when the
  inhibition ends: InhibitDevice(uid, false) from the same caller, or the
  caller leaving the bus.
- Refuse(uid, error, message) makes the next InhibitDevice of uid fail;
  each call queues one refusal.

Every inhibition event is kept in order; Events() returns them as
"inhibit UID", "uninhibit UID" and "dropped UID" (the caller left).
"""
import dbus
import dbus.service

from dbusmock import MOCK_IFACE, mockobject

BUS_NAME = "org.freedesktop.ModemManager1"
MAIN_OBJ = "/org/freedesktop/ModemManager1"
MAIN_IFACE = "org.freedesktop.ModemManager1"
MODEM_IFACE = "org.freedesktop.ModemManager1.Modem"
IS_OBJECT_MANAGER = True
SYSTEM_BUS = True
ERR = "org.freedesktop.ModemManager1.Error.Core."


class MMError(dbus.exceptions.DBusException):
    def __init__(self, name, message):
        super().__init__(message, name=ERR + name)


def load(mock, parameters):
    mock.mm_modems = {}      # uid -> (path, ports)
    mock.mm_probing = set()  # uids known but not listed yet
    mock.mm_inhibited = {}   # uid -> caller's unique name
    mock.mm_refuse = {}      # uid -> [(error name, message), ...]
    mock.mm_events = []
    mock.mm_next = 0
    mock.AddProperties(MAIN_IFACE, dbus.Dictionary(
        {"Version": parameters.get("Version", "1.20.4")}, signature="sv"))
    mock.mm_watch = mock.connection.add_signal_receiver(
        lambda name, old, new: _caller_gone(mock, name, new),
        signal_name="NameOwnerChanged", dbus_interface="org.freedesktop.DBus",
        path="/org/freedesktop/DBus")


def _export(mock, uid):
    path, ports = mock.mm_modems[uid]
    mock.AddObject(path, MODEM_IFACE, {
        "Device": dbus.String(uid),
        "Ports": dbus.Array([dbus.Struct((dbus.String(p), dbus.UInt32(3)))
                             for p in ports], signature="(su)"),
        "Manufacturer": dbus.String("China Mobile IoT"),
        "Model": dbus.String("ML307R"),
    }, [])
    mock.object_manager_emit_added(path)


def _unexport(mock, uid):
    path = mock.mm_modems[uid][0]
    if path in mockobject.objects:
        mock.object_manager_emit_removed(path)
        mock.RemoveObject(path)


def _release(mock, uid, event):
    del mock.mm_inhibited[uid]
    mock.mm_events.append("%s %s" % (event, uid))
    if uid in mock.mm_modems:
        _export(mock, uid)


def _caller_gone(mock, name, new):
    if new:
        return
    for uid, who in list(mock.mm_inhibited.items()):
        if who == name:
            _release(mock, uid, "dropped")


@dbus.service.method(MAIN_IFACE, in_signature="sb", out_signature="",
                     sender_keyword="sender")
def InhibitDevice(self, uid, inhibit, sender=None):
    uid = str(uid)
    if not inhibit:
        if self.mm_inhibited.get(uid) != sender:
            raise MMError("NotFound", "No inhibition found for uid '%s'" % uid)
        _release(self, uid, "uninhibit")
        return
    if self.mm_refuse.get(uid):
        name, message = self.mm_refuse[uid].pop(0)
        raise MMError(name, message)
    if uid in self.mm_probing:
        raise MMError("WrongState", "Modem not exported in the bus")
    if uid not in self.mm_modems:
        raise MMError("NotFound", "No device found with uid '%s'" % uid)
    if uid in self.mm_inhibited:
        raise MMError("InProgress", "Device '%s' is already inhibited" % uid)
    self.mm_inhibited[uid] = sender
    self.mm_events.append("inhibit %s" % uid)
    if uid in self.mm_modems:
        _unexport(self, uid)


@dbus.service.method(MOCK_IFACE, in_signature="sas", out_signature="s")
def AddModem(self, uid, ports):
    """List a modem with device UID uid owning the named ports."""
    path = "%s/Modem/%d" % (MAIN_OBJ, self.mm_next)
    self.mm_next += 1
    self.mm_probing.discard(str(uid))
    self.mm_modems[str(uid)] = (path, [str(p) for p in ports])
    _export(self, str(uid))
    return path


@dbus.service.method(MOCK_IFACE, in_signature="s", out_signature="")
def AddProbing(self, uid):
    """A device ModemManager knows and probes, with no modem listed yet."""
    self.mm_probing.add(str(uid))


@dbus.service.method(MOCK_IFACE, in_signature="sss", out_signature="")
def Refuse(self, uid, name, message):
    """The next InhibitDevice of uid fails so (each call queues one)."""
    self.mm_refuse.setdefault(str(uid), []).append((str(name), str(message)))


@dbus.service.method(MOCK_IFACE, in_signature="", out_signature="as")
def Events(self):
    return dbus.Array(self.mm_events, signature="s")
