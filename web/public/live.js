// Live updates: one EventSource on /api/v1/events. Each `case` event is re-dispatched on
// the bus as a 'case' CustomEvent (detail: the case), each `reply` event (a reply sent from
// ecoute changed state) as a 'reply' CustomEvent (detail: {case_id, id, status}), each
// `presence` event as a 'presence' CustomEvent (detail: {case_id, users}), each `spike`
// event as a 'spike' CustomEvent (detail: the spike); after a
// reconnection the bus gets a 'resync' event, since updates may have been missed meanwhile.
// An `assigned` event (a case given to this user, sent to their streams only) becomes an
// 'assigned' CustomEvent (detail: {case_id, assignee, by, brand}).
// An `end` event closes the stream: 'reconnect' opens a new one, anything else means the
// access is gone.

export function startLive(bus, onState) {
  let source = null;
  let timer = 0;
  let wasDown = false;

  function open() {
    source = new EventSource('/api/v1/events');
    source.addEventListener('open', () => {
      onState(true);
      if (wasDown) bus.dispatchEvent(new Event('resync'));
      wasDown = false;
    });
    source.addEventListener('case', (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      bus.dispatchEvent(new CustomEvent('case', { detail: data.case || data }));
    });
    source.addEventListener('reply', (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      const reply = data.reply || data;
      bus.dispatchEvent(new CustomEvent('reply', { detail: { case_id: reply.case_id ?? data.case_id, id: reply.id ?? data.reply_id, status: reply.status } }));
    });
    // Who has a case open: {case_id, users: [{name, state}]}.
    source.addEventListener('presence', (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      bus.dispatchEvent(new CustomEvent('presence', { detail: data }));
    });
    // A case given to this user (only their own streams get it): {case_id, assignee, by, brand}.
    source.addEventListener('assigned', (event) => {
      try {
        bus.dispatchEvent(new CustomEvent('assigned', { detail: JSON.parse(event.data) }));
      } catch {
        // not JSON: nothing to show
      }
    });
    // A spike of mentions of a brand (detail: {brand, mentions, expected, hour, detail}).
    source.addEventListener('spike', (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      bus.dispatchEvent(new CustomEvent('spike', { detail: data }));
    });
    // The server ends a stream whose session or token no longer holds (logout elsewhere,
    // revoked, disabled, expired): back to the login form. It also ends every stream after
    // its lifetime: then open a new one at once, which authenticates again.
    source.addEventListener('end', (event) => {
      let reason = '';
      try {
        reason = JSON.parse(event.data).reason;
      } catch {
        reason = '';
      }
      source.close();
      if (reason === 'reconnect') {
        wasDown = true;  // events may have been missed in between: resync on open
        open();
        return;
      }
      onState(false);
      window.dispatchEvent(new CustomEvent('ecoute:unauthenticated'));
    });
    source.addEventListener('error', () => {
      onState(false);
      wasDown = true;
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        timer = setTimeout(open, 5000);
      }
    });
  }

  open();
  return () => {
    clearTimeout(timer);
    if (source) source.close();
  };
}
