"""
Run wstest with every listening socket bound to 127.0.0.1.

wstest (Python 2.7) listens on all interfaces: its fuzzing server calls
``listenWS(factory)`` and ``reactor.listenTCP(port, site)`` without an
interface. This wrapper, run by the wstest environment's interpreter, makes
the reactor's ``listenTCP`` and ``listenSSL`` default to the loopback
interface, then hands the command line to wstest unchanged::

    .autobahn/py27/bin/python compliance/wstest_loopback.py -m fuzzingserver ...

It is written for Python 2.7 (the only version wstest runs on).
"""

import sys

LOOPBACK = "127.0.0.1"


# Position of the ``interface`` argument in each method's signature:
# listenTCP(port, factory, backlog=50, interface='') and
# listenSSL(port, factory, contextFactory, backlog=50, interface='').
INTERFACE_POSITION = {"listenTCP": 3, "listenSSL": 4}


def loopback_only(original, position):
    def listen(*args, **kwargs):
        args = list(args)
        if len(args) > position:
            if not args[position]:
                args[position] = LOOPBACK
        elif not kwargs.get("interface"):
            kwargs["interface"] = LOOPBACK
        return original(*args, **kwargs)

    return listen


def bind_to_loopback(reactor):
    for name, position in INTERFACE_POSITION.items():
        setattr(reactor, name, loopback_only(getattr(reactor, name), position))


def main():
    # Importing wstest installs its reactor first (its own rule).
    from autobahntestsuite import wstest
    from twisted.internet import reactor

    bind_to_loopback(reactor)
    sys.argv[0] = "wstest"
    wstest.run()


if __name__ == "__main__":
    main()
