#!/usr/bin/python3
"""Git smart HTTP(S) on loopback for tests: `git http-backend` behind TLS.

Serves every bare repository under --root (DIR/config.git is reached as
https://127.0.0.1:PORT/config.git) by running `git http-backend` as a CGI
program once per request, streaming the request body in and the response
out. Python 3 standard library only; binds 127.0.0.1 and nothing else.

    https-git-server.py --root DIR --certdir DIR [--token T]
                        [--user NAME --password-file F] [--port N]
                        [--http] [--read-only] [--quiet] [--latency-ms N]

Prints exactly one line `ready https://127.0.0.1:PORT` (or `ready
http://...` with --http) on stdout once listening, then serves until SIGTERM
or SIGINT. Access-log lines go to stderr unless --quiet.

Auth: with --token every request needs HTTP Basic auth whose password is the
token (any username); with --user/--password-file that exact pair. With both,
either is accepted. Otherwise: 401 and `WWW-Authenticate: Basic realm="git"`.

Request bodies: git sends `Content-Encoding: gzip` for large fetch
negotiations; http-backend inflates those itself (it reads
HTTP_CONTENT_ENCODING), so the body is passed through untouched. Chunked
request bodies (git and libgit2 use them for large pushes) are de-chunked
here and http-backend reads them to EOF with CONTENT_LENGTH unset.

--latency-ms delays every response by N ms (a slow link), so a client's
fetch can be seen to take long.

Pushes are allowed (REMOTE_USER is always set, which is what enables
receive-pack in http-backend) unless --read-only.
"""

import argparse
import base64
import hmac
import http.server
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import threading

BIND = "127.0.0.1"
CHUNK = 64 * 1024


def run_openssl(args, cwd):
    subprocess.run(["openssl"] + args, cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_certs(certdir):
    """Make (or reuse) a throwaway CA and a server certificate for loopback.

    Reused when all four files already exist, so a restarted server keeps the
    CA that clients were already given. The server cert names 127.0.0.1 both
    as an IP SAN (what OpenSSL and curl check) and as a DNS SAN (what mbedTLS
    2.x, used by Debian's libgit2, compares the host string against)."""
    os.makedirs(certdir, exist_ok=True)
    names = ["ca.key", "ca.crt", "server.key", "server.crt"]
    paths = [os.path.join(certdir, n) for n in names]
    if all(os.path.exists(p) for p in paths):
        return paths[3], paths[2]
    run_openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes",
                 "-keyout", "ca.key", "-out", "ca.crt", "-days", "30",
                 "-subj", "/CN=tend test CA",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign"], certdir)
    run_openssl(["req", "-newkey", "rsa:2048", "-nodes",
                 "-keyout", "server.key", "-out", "server.csr",
                 "-subj", "/CN=127.0.0.1"], certdir)
    ext = os.path.join(certdir, "server.ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectAltName=IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost\n")
    run_openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt",
                 "-CAkey", "ca.key", "-CAcreateserial", "-days", "30",
                 "-sha256", "-extfile", "server.ext", "-out", "server.crt"],
                certdir)
    return paths[3], paths[2]


class Config:
    root = ""
    token = None
    user = None
    password = None
    read_only = False
    quiet = False
    latency_s = 0.0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tend-git-fixture"
    cfg = Config()

    def log_message(self, fmt, *args):
        if not self.cfg.quiet:
            sys.stderr.write("https-git-server: %s\n" % (fmt % args))
            sys.stderr.flush()

    def do_GET(self):
        time.sleep(self.cfg.latency_s)
        self.serve()

    def do_POST(self):
        time.sleep(self.cfg.latency_s)
        self.serve()

    # --- auth -------------------------------------------------------------

    def authenticate(self):
        """Return the user name to hand http-backend, or None after a 401."""
        cfg = self.cfg
        if cfg.token is None and cfg.user is None:
            return "anonymous"
        user, password = self.basic_credentials()
        if password is not None:
            if cfg.token is not None and hmac.compare_digest(
                    password.encode(), cfg.token.encode()):
                return user or "token"
            if (cfg.user is not None and user == cfg.user
                    and hmac.compare_digest(password.encode(),
                                            cfg.password.encode())):
                return user
        self.drain_body()
        body = b"authentication required\n"
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None

    def basic_credentials(self):
        value = self.headers.get("Authorization", "")
        scheme, _, data = value.partition(" ")
        if scheme.lower() != "basic":
            return None, None
        try:
            decoded = base64.b64decode(data.strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return None, None
        user, sep, password = decoded.partition(":")
        if not sep:
            return None, None
        return user, password

    # --- request body -----------------------------------------------------

    def body_chunks(self):
        """Yield the raw request body, de-chunked if needed."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return
                left = size
                while left:
                    data = self.rfile.read(min(left, CHUNK))
                    if not data:
                        raise ConnectionError("short chunk")
                    left -= len(data)
                    yield data
                self.rfile.readline(16)
        else:
            left = int(self.headers.get("Content-Length") or 0)
            while left:
                data = self.rfile.read(min(left, CHUNK))
                if not data:
                    raise ConnectionError("short body")
                left -= len(data)
                yield data

    def drain_body(self):
        try:
            for _ in self.body_chunks():
                pass
        except (ConnectionError, ValueError):
            self.close_connection = True

    # --- CGI --------------------------------------------------------------

    def cgi_env(self, user):
        path, _, query = self.path.partition("?")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": self.cfg.root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SERVER_SOFTWARE": self.server_version,
            "SERVER_NAME": BIND,
            "SERVER_PORT": str(self.server.server_address[1]),
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
        }
        if self.headers.get("Content-Length") and "chunked" not in \
                self.headers.get("Transfer-Encoding", "").lower():
            env["CONTENT_LENGTH"] = self.headers["Content-Length"]
        if not self.cfg.read_only:
            env["REMOTE_USER"] = user
        else:
            env["GIT_CONFIG_COUNT"] = "1"
            env["GIT_CONFIG_KEY_0"] = "http.receivepack"
            env["GIT_CONFIG_VALUE_0"] = "false"
        if self.cfg.token is not None or self.cfg.user is not None:
            env["AUTH_TYPE"] = "Basic"
        for key, value in self.headers.items():
            name = key.upper().replace("-", "_")
            if name in ("CONTENT_TYPE", "CONTENT_LENGTH", "AUTHORIZATION"):
                continue
            env["HTTP_" + name] = value
        return env

    def serve(self):
        user = self.authenticate()
        if user is None:
            return
        proc = subprocess.Popen(
            ["git", "http-backend"], env=self.cgi_env(user),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=None if not self.cfg.quiet else subprocess.DEVNULL)
        # Feed the body from a second thread: receive-pack may write its
        # report while it still reads, and both pipes are finite.
        feeder = threading.Thread(target=self.feed, args=(proc,), daemon=True)
        feeder.start()
        try:
            self.relay(proc)
        finally:
            feeder.join()
            proc.stdout.close()
            proc.wait()

    def feed(self, proc):
        try:
            for data in self.body_chunks():
                proc.stdin.write(data)
        except (BrokenPipeError, ConnectionError, ValueError):
            self.close_connection = True
        finally:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass

    def relay(self, proc):
        status, headers = 200, []
        while True:
            line = proc.stdout.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            key, _, value = line.decode("latin-1").rstrip("\r\n").partition(":")
            value = value.strip()
            if key.lower() == "status":
                status = int(value.split()[0])
            else:
                headers.append((key, value))
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        while True:
            data = proc.stdout.read1(CHUNK)
            if not data:
                break
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    address_family = socket.AF_INET

    def handle_error(self, request, client_address):
        # A client that rejects our certificate or hangs up mid-request is a
        # normal test event, not a traceback.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ssl.SSLError, ConnectionError, TimeoutError)):
            if not Handler.cfg.quiet:
                sys.stderr.write("https-git-server: %s: %s\n"
                                 % (client_address[0], exc))
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True,
                    help="directory holding the bare repositories")
    ap.add_argument("--certdir", help="where ca.crt and the server cert live "
                    "(made if missing); required unless --http")
    ap.add_argument("--token", help="require Basic auth with this password")
    ap.add_argument("--user", help="require Basic auth with this user ...")
    ap.add_argument("--password-file", help="... and the password in this file")
    ap.add_argument("--port", type=int, default=0, help="default: a free port")
    ap.add_argument("--http", action="store_true", help="plain HTTP, no TLS")
    ap.add_argument("--read-only", action="store_true", help="refuse pushes")
    ap.add_argument("--quiet", action="store_true", help="no access log")
    ap.add_argument("--latency-ms", type=int, default=0,
                    help="delay every response (a slow link)")
    args = ap.parse_args()

    if (args.user is None) != (args.password_file is None):
        ap.error("--user and --password-file go together")
    if not args.http and not args.certdir:
        ap.error("--certdir is required unless --http")

    cfg = Handler.cfg
    cfg.root = os.path.abspath(args.root)
    cfg.token = args.token
    cfg.user = args.user
    if args.password_file:
        with open(args.password_file) as f:
            cfg.password = f.read().rstrip("\r\n")
    cfg.read_only = args.read_only
    cfg.quiet = args.quiet
    cfg.latency_s = args.latency_ms / 1000.0

    server = Server((BIND, args.port), Handler)
    scheme = "http"
    if not args.http:
        cert, key = make_certs(args.certdir)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(cert, key)
        # Handshake in the handler thread, so one stuck client cannot block
        # accept().
        server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
        scheme = "https"

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("ready %s://%s:%d" % (scheme, BIND, server.server_address[1]),
          flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
