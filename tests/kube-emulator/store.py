"""Object storage with one cluster-wide resourceVersion counter, a bounded
event history for WATCH and the list of open watchers (reference 2.3, 3.3).

Invariants: every stored write bumps the counter by exactly one and appends
one event; an event older than the retained history cannot be replayed, so a
watch from before it gets 410 Expired.  All access is under one lock.
"""
import collections
import json
import queue
import threading


class Expired(Exception):
    def __init__(self, requested, oldest):
        super().__init__('too old resource version: %d (%d)' % (requested, oldest))
        self.requested, self.oldest = requested, oldest


class Entry:
    __slots__ = ('obj', '_bytes', '_item')

    def __init__(self, obj):
        self.obj = obj
        self._bytes = None
        self._item = None

    def item_bytes(self):
        """Encoding as a built-in list item: no kind/apiVersion (reference 3.2)."""
        b = self._item
        if b is None:
            o = {k: v for k, v in self.obj.items() if k not in ('apiVersion', 'kind')}
            b = self._item = json.dumps(o, separators=(',', ':')).encode()
        return b

    def bytes(self):
        b = self._bytes
        if b is None:
            b = self._bytes = json.dumps(self.obj, separators=(',', ':')).encode()
        return b


class Watcher:
    def __init__(self, key, namespace, match):
        self.key, self.namespace, self.match = key, namespace, match
        self.q = queue.Queue()
        self.closed = False

    def close(self):
        self.closed = True
        self.q.put(None)


class Store:
    def __init__(self, history=1000):
        self.lock = threading.RLock()
        self.rv = 1
        self.data = collections.defaultdict(dict)   # key -> {(ns, name): Entry}
        self.history = collections.deque()
        self.history_max = max(1, history)
        self.compacted = 0                           # rv of newest dropped event
        self.watchers = []

    def next_rv(self):
        self.rv += 1
        return self.rv

    def get(self, key, ns, name):
        e = self.data[key].get((ns or '', name))
        return e

    def items(self, key, ns=None):
        d = self.data[key]
        if ns is None:
            return [d[k] for k in sorted(d)]
        return [d[k] for k in sorted(d) if k[0] == ns]

    def put(self, key, obj, event_type, prev=None):
        """Store obj (already carrying its new resourceVersion) and notify."""
        md = obj['metadata']
        k = (md.get('namespace', ''), md['name'])
        if event_type == 'DELETED':
            self.data[key].pop(k, None)
        else:
            self.data[key][k] = Entry(obj)
        ev = (int(md['resourceVersion']), key, event_type, obj, prev)
        self.history.append(ev)
        while len(self.history) > self.history_max:
            self.compacted = self.history.popleft()[0]
        for w in list(self.watchers):
            if w.key == key:
                w.q.put(ev)

    def watch(self, key, ns, since, match):
        """Register a watcher; returns (watcher, replay events).  since=None
        means 'start from now with synthetic ADDED events'."""
        w = Watcher(key, ns, match)
        with self.lock:
            if since is None:
                replay = [(int(e.obj['metadata']['resourceVersion']), key, 'ADDED', e.obj, None)
                          for e in self.items(key, ns)]
            else:
                if since < self.compacted:
                    oldest = self.history[0][0] if self.history else self.rv
                    raise Expired(since, oldest - 1)
                replay = [ev for ev in self.history if ev[0] > since and ev[1] == key]
            self.watchers.append(w)
        return w, replay

    def unwatch(self, w):
        with self.lock:
            if w in self.watchers:
                self.watchers.remove(w)

    def reset(self):
        with self.lock:
            for w in self.watchers:
                w.close()
            self.watchers = []
            self.data.clear()
            self.history.clear()
            self.compacted = self.rv
