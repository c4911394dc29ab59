// The only script of our own: a chosen spec file fills the textarea, so the form stays a plain POST.
document.addEventListener('change', (event) => {
  const input = event.target;
  if (input.id !== 'spec-file' || !input.files || input.files.length === 0) {
    return;
  }
  input.files[0].text().then((text) => {
    document.getElementById('document').value = text;
  });
});
