# Declarations for the compiled twin of framing.py (see websockets.compiled):
# FrameParser becomes an extension type whose attributes are C fields.

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
