// Live updates: one EventSource on /api/v1/events. Each `case` event is re-dispatched on
// the bus as a 'case' CustomEvent (detail: the case); after a reconnection the bus gets a
// 'resync' event, since updates may have been missed meanwhile.

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
