# Declarations for the compiled twin of protocol.py (see websockets.compiled):
# _MessagePath becomes an extension type whose attributes are C fields and
# whose methods call each other and the core directly. Fields that hold what
# users pass or set (limits, timeouts, latency) stay objects, so that the
# compiled build accepts what the source accepts.

from .sansio.connection cimport Connection

cdef class _MessagePath:
    cdef public object logger
    cdef public bint debug
    cdef public object close_timeout
    cdef public object loop
    cdef public object latency
    cdef public dict pings
    cdef public Connection sansio
    cdef public object transport
    cdef public object _messages
    cdef public object _recv_waiter
    cdef public object _queue_high
    cdef public object _queue_low
    cdef public bint _reading_paused
    cdef public object _fragments
    cdef public bint _fragments_text
    cdef public bint _writing_paused
    cdef public object _drain_waiters
    cdef public object _fragmented_send
    cdef public bint _vectored
    cdef public object _close_timer
    cdef public object _scratch
    cdef public bint _receiving_direct
    cdef public bint _eof_received
    cdef public bint _lost
    cdef public object _connection_lost_waiter

    cdef _received(self)
    cpdef flush(self)
    cpdef process_events(self, list events)
    cdef _continuation(self, frame)
    cdef _put_message(self, message)
    cpdef _wake_receiver(self)
    cdef _recv_waiter_new(self)
    cdef _recv_take(self)
