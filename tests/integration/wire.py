"""wire.py - the byte formats that integration tests speak to daemons
directly: attribute lists (util/attr.h, docs/ipc.md) and queue-file
records (util/rec_type.h, docs/queue.md).

    a_int(name, val), a_long(name, val), a_str(name, val) -> bytes of one
        attribute (end a list with b"\\x00")
    read_exact(sock, n) -> n bytes (EOFError when the peer closes first)
    read_attrs(sock) -> one attribute list as a dict (str values decoded)
    rec(type, data=b"") -> one record
"""
import struct


def a_int(name, val):
    n = name.encode()
    return b"\x01" + bytes([len(n)]) + n + struct.pack(">i", val)


def a_long(name, val):
    n = name.encode()
    return b"\x02" + bytes([len(n)]) + n + struct.pack(">q", val)


def a_str(name, val):
    n, v = name.encode(), val.encode()
    return b"\x03" + bytes([len(n)]) + n + struct.pack(">I", len(v)) + v


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    return buf


def read_attrs(sock):
    """One attribute list as a dict."""
    out = {}
    while True:
        t = read_exact(sock, 1)[0]
        if t == 0:
            return out
        name = read_exact(sock, read_exact(sock, 1)[0]).decode()
        if t == 1:
            out[name] = struct.unpack(">i", read_exact(sock, 4))[0]
        elif t == 2:
            out[name] = struct.unpack(">q", read_exact(sock, 8))[0]
        else:
            n = struct.unpack(">I", read_exact(sock, 4))[0]
            v = read_exact(sock, n)
            out[name] = v.decode() if t == 3 else v


def rec(t, data=b""):
    return t.encode() + struct.pack(">I", len(data)) + data
