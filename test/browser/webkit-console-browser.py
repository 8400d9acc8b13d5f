#!/usr/bin/python3
"""The browser WebKitWebDriver starts for the WebKit tests (test/browser/webkit.ts), in place of MiniBrowser.

Why it exists: the tests read the engine's own CORS messages from the console, and MiniBrowser cannot give them.
In --automation mode MiniBrowser always opens its pages in an ephemeral (private) website data session, and WebCore
only copies a page's console messages to stdout/stderr when the page's session is not ephemeral. So under the driver
MiniBrowser prints nothing, whatever its settings say.

This one is the same WebKitGTK (API 4.1, GTK 3) library, web process and network process as MiniBrowser, through
PyGObject. Its only differences: a persistent data session, in a new empty directory for every browser (so every
WebDriver session still starts with no cookies, storage or preflight cache), and a plain window. Its web processes
inherit the driver's stderr and write each console line there ("... CONSOLE JS ERROR ..."), where webkit.ts reads it.

Needs Debian's /usr/bin/python3 with python3-gi and gir1.2-webkit2-4.1 (which brings gir1.2-gtk-3.0).
The driver passes --automation; it is ignored. --profile-root=DIR puts the profile directories in DIR.
"""
import atexit
import shutil
import signal
import sys
import tempfile

import gi

gi.require_version('Gtk', '3.0')
gi.require_version('WebKit2', '4.1')
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402

# The profile is removed when this browser exits normally. The driver sometimes ends its browser with SIGKILL, when no
# exit hook runs, so webkit.ts names a root directory of its own (--profile-root) and removes that on close.
root = next((arg.split('=', 1)[1] for arg in sys.argv[1:] if arg.startswith('--profile-root=')), None)
profile = tempfile.mkdtemp(prefix='webkit-console-profile-', dir=root)
atexit.register(shutil.rmtree, profile, True)

data = WebKit2.WebsiteDataManager(base_data_directory=profile, base_cache_directory=profile)
context = WebKit2.WebContext(website_data_manager=data)
context.set_automation_allowed(True)
settings = WebKit2.Settings(enable_write_console_messages_to_stdout=True, enable_developer_extras=True)
windows = set()


def create_web_view(_session):
    """A new page the driver asked for; the browser quits when the driver has closed its last one."""
    view = WebKit2.WebView(web_context=context, settings=settings, is_controlled_by_automation=True)
    window = Gtk.Window()
    window.add(view)
    windows.add(window)

    def on_close(*_):
        windows.discard(window)
        window.destroy()
        if not windows:
            Gtk.main_quit()

    view.connect('close', on_close)
    window.show_all()
    return view


def on_automation_started(_context, session):
    # The driver matches the session's capabilities against this name and version, as it does for MiniBrowser.
    info = WebKit2.ApplicationInfo()
    info.set_name('MiniBrowser')
    info.set_version(WebKit2.get_major_version(), WebKit2.get_minor_version(), WebKit2.get_micro_version())
    session.set_application_info(info)
    session.connect('create-web-view', create_web_view)


context.connect('automation-started', on_automation_started)
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, lambda: (Gtk.main_quit(), False)[1])
Gtk.main()
