// The header's menu on a narrow screen (a phone, or a desktop zoomed to 200 %): the
// navigation and the tools fold behind one button. The button says whether the menu is open
// (aria-expanded); Escape closes it and gives the focus back to the button; following a
// link or a click outside closes it too. On a wide screen the button is not shown and the
// menu is always laid out in the header.

import { addStrings } from './i18n.js';

addStrings({
  en: { 'menu.button': 'Menu' },
  fr: { 'menu.button': 'Menu' },
});

export function setUpMenu() {
  const header = document.getElementById('top');
  const button = document.getElementById('menu-button');
  const menu = document.getElementById('menu');
  if (!header || !button || !menu) return;
  const isOpen = () => button.getAttribute('aria-expanded') === 'true';
  const setOpen = (open) => {
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    header.classList.toggle('menu-open', open);
  };
  button.addEventListener('click', () => {
    setOpen(!isOpen());
    if (isOpen()) menu.querySelector('a, select, button')?.focus();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !isOpen()) return;
    setOpen(false);
    button.focus();
  });
  document.addEventListener('click', (event) => {
    if (isOpen() && !header.contains(event.target)) setOpen(false);
  });
  menu.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('a')) setOpen(false);
  });
  window.addEventListener('hashchange', () => setOpen(false));
}
