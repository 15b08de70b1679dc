# Declarations for the compiled twin of framing.py (see websockets.compiled):
# FrameParser becomes an extension type whose attributes are C fields and
# whose methods the core calls directly.

cdef class FrameParser:
    cdef public object buffer
    cdef public Py_ssize_t offset
    cdef public Py_ssize_t limit
    cdef public bint mask
    cdef public object max_size
    cdef public int state
    cdef bint _owned
    cdef int _first
    cdef object _length
    cdef object _key
    cdef object _payload

    cpdef feed(self, data)
    cpdef get_buffer(self)
    cpdef buffer_updated(self, Py_ssize_t nbytes)
    cdef _reserve(self, Py_ssize_t size)
    cdef _release(self)
    cdef _receive_in_place(self, Py_ssize_t length)
    cpdef parse(self)
    cdef _stop(self, int state, Py_ssize_t offset, int first, length, key)
    cpdef clear(self)
