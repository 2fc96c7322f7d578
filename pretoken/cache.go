package pretoken

import (
	"container/list"
	"sync"
	"time"
)

// ttlCache is a bounded, concurrency-safe map whose entries expire ttl after they were
// stored. When full, it drops the least recently used entry. A Lambda execution
// environment serves invocations one after another for minutes to hours, so a cache in
// memory spares most sign-ins and token refreshes a network round trip.
type ttlCache[V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	size  int
	order *list.List // front: most recently used; elements hold *cacheEntry[V]
	items map[string]*list.Element
}

type cacheEntry[V any] struct {
	key     string
	val     V
	expires time.Time
}

func newTTLCache[V any](ttl time.Duration, size int) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, size: size, order: list.New(), items: make(map[string]*list.Element)}
}

// get returns the value stored under key unless it expired by now.
func (c *ttlCache[V]) get(key string, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	el, ok := c.items[key]
	if !ok {
		return zero, false
	}
	ent := el.Value.(*cacheEntry[V])
	if !now.Before(ent.expires) {
		c.order.Remove(el)
		delete(c.items, key)
		return zero, false
	}
	c.order.MoveToFront(el)
	return ent.val, true
}

// put stores val under key until now+ttl.
func (c *ttlCache[V]) put(key string, val V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		ent := el.Value.(*cacheEntry[V])
		ent.val, ent.expires = val, now.Add(c.ttl)
		c.order.MoveToFront(el)
		return
	}
	for c.order.Len() >= c.size {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*cacheEntry[V]).key)
	}
	c.items[key] = c.order.PushFront(&cacheEntry[V]{key: key, val: val, expires: now.Add(c.ttl)})
}
