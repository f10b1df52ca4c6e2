// "Copy" buttons: <button data-copy="#input-id" data-copied="{% translate 'Copied' %}">. Falls
// back to selecting the text. The words come translated from the page: no JavaScript catalogue.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const input = document.querySelector(button.dataset.copy);
  if (!input) return;
  input.select();
  const done = () => {
    const label = button.textContent;
    button.textContent = button.dataset.copied || "✓"; // no English where a page gave no word
    setTimeout(() => { button.textContent = label; }, 2000);
  };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(input.value).then(done, () => {});
  } else {
    document.execCommand("copy");
    done();
  }
});
