import type { SiteText } from './site-text.js';

const HOURS_PER_DAY = 24;

export const siteTextEn: SiteText = {
  site_name: 'roamcard',
  tagline: 'Travel SIM for Russia',
  skip_to_content: 'Skip to content',
  nav_label: 'Main',
  nav: { renew: 'Renew', help: 'Help', lines: 'My lines' },
  language_label: 'Language',
  footer_ussd: 'Balance any time: dial #100#. Your packs: #101#. No data needed.',
  install_app: 'Install the app',

  home_title: 'Top up your travel SIM in a minute',
  home_lead: 'roamcard (远游卡) is a prepaid SIM card for travellers in Russia: mobile data, calls and SMS in packs you renew yourself, in your language.',
  home_renew_cta: 'Renew a number',
  home_renew_note: 'No sign-in needed: renew your own number or a friend’s.',
  home_balance_title: 'Check your balance',
  home_balance_text: 'Dial #100# on the phone with the card to see what is left and until when; #101# lists your packs. It works even with no data left.',
  home_points: [
    'A paid pack is active within seconds.',
    'The same in every city of Russia, in all eleven time zones.',
    'Pay by bank card, SBP, YooMoney, Alipay, WeChat Pay or PayPal.',
  ],
  home_help_cta: 'Help and questions',

  renew_title: 'Renew a number',
  renew_intro: 'Enter the Russian number of the card. Anyone may renew any number; the receipt belongs to whoever pays.',
  msisdn_label: 'Phone number',
  msisdn_hint: 'For example +7 900 123-45-67 or 8 900 123 45 67',
  show_packs: 'Show packs',

  packs_title: 'Choose a pack',
  packs_for: 'For the number',
  change_number: 'Change number',
  pack_groups: { data: 'Mobile data', voice: 'Calls', sms: 'SMS', combo: 'Data and calls' },
  validity: (hours) => {
    if (hours % HOURS_PER_DAY === 0) {
      const days = hours / HOURS_PER_DAY;
      return days === 1 ? '1 day' : `${days} days`;
    }
    return hours === 1 ? '1 hour' : `${hours} hours`;
  },
  approx_currency_label: 'Approximate price in',
  approx_currency_off: 'RUB only',
  approx_note: 'You pay in roubles. Prices marked ≈ use an indicative rate; your bank’s rate may differ.',
  method_legend: 'Payment method',
  card_brands: 'Visa, MasterCard, Mir, UnionPay',
  email_label: 'E-mail (optional)',
  email_hint: 'Passed to the payment service for its confirmation. Your receipt is always linked on the next page.',
  pay_button: 'Continue to payment',
  pay_note: 'You will go to the payment service’s page and come back here.',
  no_packs: 'No packs are on sale right now. Please try again later.',

  status_title: 'Your renewal',
  status_waiting: 'Waiting for the payment service.',
  status_paid: 'Paid. The pack is being activated, usually within seconds.',
  status_active: 'The pack is active and can be used right away.',
  status_closed: 'This renewal is closed.',
  status_refunded: 'This renewal was refunded: the money goes back the way it came.',
  status_updates_live: 'This page updates by itself.',
  number_label: 'Number',
  pack_label: 'Pack',
  price_label: 'Price',
  order_label: 'Order',
  retry_legend: 'Pay another way',
  new_balance: 'Balance now',
  balance_checked_at: (time) => `as of ${time}`,
  pack_until: (until) => `until ${until}`,
  renew_again: 'Start a new renewal',

  errors_summary: 'Please check:',
  msisdn_empty: 'Phone number: please enter the number to renew.',
  msisdn_invalid: 'Phone number: this is not a valid number. Check the digits and the +7 or 8 in front.',
  pack_missing: 'Pack: please choose one.',
  method_missing: 'Payment method: please choose one.',
  email_invalid: 'E-mail: this is not an e-mail address.',
  form_expired: 'The form had expired, so nothing was done. Please check your choice and press the button again.',
  not_found_title: 'Page not found',
  not_found_text: 'There is nothing at this address. Check the link.',
  go_home: 'Go to the start page',

  help_title: 'Help',
  ussd_title: 'Balance and packs by USSD',
  ussd_100: 'your money balance and what is left in your packs, with the end time.',
  ussd_101: 'your packs one by one: what is left and until when.',
  ussd_note: 'Dial the code like a phone number and press call. It is free and works without mobile data.',
  phone_title: 'Will my phone work?',
  phone_items: [
    'The card is a nano-SIM, the smallest size. Phones with a bigger slot need an adapter.',
    'The phone must be unlocked (not tied to one operator). If you are not sure, try another operator’s SIM in it before you travel.',
    'Russian 4G networks use LTE bands 3, 7 and 20; most phones sold in China, Europe and America have them.',
  ],
  esim_title: 'eSIM',
  esim_text: 'An eSIM line has no plastic card: the phone downloads it with a QR code, or with a manual activation code if it cannot scan.',
  esim_steps: [
    'Settings → Mobile data (Cellular) → Add eSIM, then scan the QR code.',
    'Cannot scan? Choose “Enter details manually” and type the SM-DP+ address and the activation code.',
    'In Russia, choose the roamcard line for mobile data.',
  ],
  esim_where: 'Each eSIM line has its own QR code and activation code. They are on the card holder or e-mail you got with the eSIM.',
  esim_link: 'Where to find your eSIM code',
  faq_title: 'Questions',
  faq: [
    { question: 'How fast is a pack active?', answer: 'Within seconds of the payment. Dial #100# to see it.' },
    { question: 'My payment failed. What now?', answer: 'The order page tells you why, in your language, and lets you pay another way in one tap. Money is never taken twice for one renewal.' },
    { question: 'Can I renew from any city?', answer: 'Yes: renewal works the same everywhere in Russia. Validity is counted in hours from activation, so time zones do not matter.' },
    { question: 'Can I share a pack with a friend?', answer: 'No: a card is one person’s and packs stay on their line. A friend may renew your number for you, though.' },
  ],
  stores_title: 'Renew in person',
  stores_coming: 'A store finder is coming soon. Until then, service halls and partner stores that sell the card can renew it.',

  esim_page_title: 'Your eSIM code',
  esim_page_private: 'An eSIM code lets anyone install the line, so we show it only to the line’s owner after sign-in, never by phone number alone.',
  esim_page_sign_in_coming: 'Sign-in is coming soon. Until then, a service hall shows your code after checking your passport.',

  offline_title: 'You are offline',
  offline_text: 'There is no connection right now.',
  offline_last_balance: 'Last known balance',
  offline_saved_at: 'Seen',
  offline_none: 'No balance is saved on this device yet. Dial #100#: it works without data.',
  offline_retry: 'Try again',
};
