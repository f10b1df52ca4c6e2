// "Copy" buttons: <button data-copy="#input-id">. Falls back to selecting the text.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const input = document.querySelector(button.dataset.copy);
  if (!input) return;
  input.select();
  const done = () => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 2000);
  };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(input.value).then(done, () => {});
  } else {
    document.execCommand("copy");
    done();
  }
});
