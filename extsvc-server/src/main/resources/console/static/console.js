// The console's own script, small and framework-free besides htmx's polling of the live sections.

// A chosen spec file fills the textarea, so the form stays a plain POST.
document.addEventListener('change', (event) => {
  const input = event.target;
  if (input.id !== 'spec-file' || !input.files || input.files.length === 0) {
    return;
  }
  input.files[0].text().then((text) => {
    document.getElementById('document').value = text;
  });
});

// Live sections (the list, a pending invocation) poll every few seconds, but not while the tab is
// hidden: nobody reads them, and the store has better things to do. Back in view, one refresh at once.
document.addEventListener('htmx:beforeRequest', (event) => {
  if (document.hidden && event.target && event.target.id === 'live') {
    event.preventDefault();
  }
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) {
    document.dispatchEvent(new CustomEvent('extsvc:visible'));
  }
});
