# Declarations for the compiled twin of connection.py (see websockets.compiled):
# Connection becomes an extension type whose attributes are C fields; the
# handshake roles, which subclass it, keep their attributes in __dict__.

from ..framing cimport FrameParser

cdef class Connection:
    cdef dict __dict__
    cdef public object logger
    cdef public bint debug
    cdef public object side
    cdef public object _state
    cdef public object max_size
    cdef public list extensions
    cdef public object close_rcvd
    cdef public object close_sent
    cdef public object close_rcvd_then_sent
    cdef public object parser_exc
    cdef public object handshake_exc
    cdef public bint eof_sent
    cdef public bint eof_rcvd
    cdef public list events
    cdef public object _handshake
    cdef public list _writes
    cdef public bint _mask
    cdef public FrameParser _parser
    cdef public object _feed
    cdef public object _parse
    cdef public bint _discarding
    cdef public bint _fragmented
    cdef public object _budget
    cdef public object _decoder
    cdef public Py_ssize_t _checked
    cdef public bint _sending_fragments
