# Declarations for the compiled twin of connection.py (see websockets.compiled):
# Connection becomes an extension type whose attributes are C fields; the
# handshake roles, which subclass it, keep their attributes in __dict__. The
# I/O layer calls the public methods declared here directly.

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
    cdef public bint _discarding
    cdef public bint _fragmented
    cdef public object _budget
    cdef public object _decoder
    cdef public Py_ssize_t _checked
    cdef public bint _sending_fragments

    cpdef receive_data(self, data)
    cpdef get_buffer(self)
    cpdef buffer_updated(self, Py_ssize_t nbytes)
    cdef _receive_frames(self)
    cdef _receive_frame(self, frame)
    cdef _check_text(self, data, bint first, bint fin)
    cpdef events_received(self)
    cpdef data_to_send(self)
    cpdef send_text(self, data, bint fin=*)
    cpdef send_binary(self, data, bint fin=*)
    cdef _send_data(self, opcode, data, bint fin)
    cdef _send_frame(self, frame)
