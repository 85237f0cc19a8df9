// Progressive enhancement for the storefront. Every page works without this script: forms post
// the checked radio, and the server renders prices and totals. The script only updates the
// price or total shown on screen when the shopper picks another variant or shipping method.
// It reads preformatted text from data attributes and writes it with textContent, so it never
// builds HTML.

function updateProductPrice(input: HTMLInputElement): void {
  const amount = document.querySelector<HTMLElement>('#product-price .price__amount');
  const compare = document.querySelector<HTMLElement>('#product-price .price__compare');
  const compareSlot = document.querySelector<HTMLElement>('#product-price .price__was');
  if (!amount || !input.dataset.price) return;

  amount.textContent = input.dataset.price;
  const compareAt = input.dataset.compareAt ?? '';
  amount.classList.toggle('price__amount--sale', compareAt !== '');
  if (compare && compareSlot) {
    compare.textContent = compareAt;
    compareSlot.hidden = compareAt === '';
  }

  const url = new URL(window.location.href);
  url.searchParams.set('variant', input.value);
  window.history.replaceState(null, '', url);
}

function updateCheckoutTotal(input: HTMLInputElement): void {
  const shipping = document.getElementById('summary-shipping');
  const total = document.getElementById('summary-total');
  const label = document.getElementById('summary-shipping-label');
  if (shipping && input.dataset.shipping) shipping.textContent = input.dataset.shipping;
  if (total && input.dataset.total) total.textContent = input.dataset.total;
  if (label && input.dataset.label) label.textContent = input.dataset.label;
}

document.addEventListener('change', (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== 'radio') return;

  if (input.closest('[data-variant-picker]')) updateProductPrice(input);
  if (input.closest('[data-shipping-picker]')) updateCheckoutTotal(input);
});
