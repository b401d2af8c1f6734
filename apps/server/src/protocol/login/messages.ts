/** The languages of the login and error pages (ui_locales, OIDC Core §3.1.2.1). */
export const Locales = ['en', 'fi', 'sv'] as const;
export type Locale = (typeof Locales)[number];

/** Every text the pages show, per language. */
export interface Messages {
  readonly signInTitle: string;
  /** Shown with the client's name. */
  readonly signInTo: (clientName: string) => string;
  readonly signInLead: string;
  readonly username: string;
  readonly password: string;
  readonly submit: string;
  readonly failed: string;
  /** The signed-in account is in none of the client's allowed groups. */
  readonly notAllowed: string;
  readonly errorTitle: string;
  readonly errorLead: string;
  readonly errorCode: string;
  readonly logoutTitle: string;
  /** Shown with the client's name when the request named one. */
  readonly logoutFrom: (clientName: string) => string;
  readonly logoutLead: string;
  readonly logoutSubmit: string;
  readonly signedOutTitle: string;
  readonly signedOutLead: string;
}

const MESSAGES: Record<Locale, Messages> = {
  en: {
    signInTitle: 'Sign in',
    signInTo: (name) => `Sign in to continue to ${name}.`,
    signInLead: 'Sign in to continue.',
    username: 'Username',
    password: 'Password',
    submit: 'Sign in',
    failed: 'The username or password is incorrect.',
    notAllowed:
      'You are signed in with an account that may not use this application. Sign in with another account.',
    errorTitle: 'The sign-in request cannot be accepted',
    errorLead:
      'The application sent a request that this service cannot accept. Return to the application and try again.',
    errorCode: 'Error code',
    logoutTitle: 'Sign out',
    logoutFrom: (name) => `${name} asks you to sign out. Do you want to sign out of this service?`,
    logoutLead: 'Do you want to sign out of this service?',
    logoutSubmit: 'Sign out',
    signedOutTitle: 'You have signed out',
    signedOutLead:
      'You have signed out of this service. To keep others from using your applications, close the browser.',
  },
  fi: {
    signInTitle: 'Kirjaudu sisään',
    signInTo: (name) => `Kirjaudu sisään jatkaaksesi palveluun ${name}.`,
    signInLead: 'Kirjaudu sisään jatkaaksesi.',
    username: 'Käyttäjätunnus',
    password: 'Salasana',
    submit: 'Kirjaudu',
    failed: 'Käyttäjätunnus tai salasana on virheellinen.',
    notAllowed:
      'Olet kirjautunut tunnuksella, jolla ei voi käyttää tätä sovellusta. Kirjaudu toisella tunnuksella.',
    errorTitle: 'Kirjautumispyyntöä ei voida hyväksyä',
    errorLead:
      'Sovellus lähetti pyynnön, jota tämä palvelu ei voi hyväksyä. Palaa sovellukseen ja yritä uudelleen.',
    errorCode: 'Virhekoodi',
    logoutTitle: 'Kirjaudu ulos',
    logoutFrom: (name) =>
      `${name} pyytää sinua kirjautumaan ulos. Haluatko kirjautua ulos tästä palvelusta?`,
    logoutLead: 'Haluatko kirjautua ulos tästä palvelusta?',
    logoutSubmit: 'Kirjaudu ulos',
    signedOutTitle: 'Olet kirjautunut ulos',
    signedOutLead:
      'Olet kirjautunut ulos tästä palvelusta. Sulje selain, jotta kukaan muu ei pääse sovelluksiisi.',
  },
  sv: {
    signInTitle: 'Logga in',
    signInTo: (name) => `Logga in för att fortsätta till ${name}.`,
    signInLead: 'Logga in för att fortsätta.',
    username: 'Användarnamn',
    password: 'Lösenord',
    submit: 'Logga in',
    failed: 'Användarnamnet eller lösenordet är felaktigt.',
    notAllowed:
      'Du är inloggad med ett konto som inte får använda det här programmet. Logga in med ett annat konto.',
    errorTitle: 'Inloggningsbegäran kan inte godkännas',
    errorLead:
      'Programmet skickade en begäran som den här tjänsten inte kan godkänna. Gå tillbaka till programmet och försök igen.',
    errorCode: 'Felkod',
    logoutTitle: 'Logga ut',
    logoutFrom: (name) => `${name} ber dig logga ut. Vill du logga ut från den här tjänsten?`,
    logoutLead: 'Vill du logga ut från den här tjänsten?',
    logoutSubmit: 'Logga ut',
    signedOutTitle: 'Du har loggat ut',
    signedOutLead:
      'Du har loggat ut från den här tjänsten. Stäng webbläsaren så att ingen annan kan använda dina program.',
  },
};

/**
 * The first language of `uiLocales` (space-separated BCP 47 tags in order of preference) that
 * the pages speak, by its primary subtag (`fi-FI` is Finnish); English otherwise.
 */
export function pickLocale(uiLocales: string | null): Locale {
  for (const tag of (uiLocales ?? '').split(' ')) {
    const primary = tag.split('-')[0].toLowerCase();
    const match = Locales.find((locale) => locale === primary);
    if (match) return match;
  }
  return 'en';
}

export function messagesFor(locale: Locale): Messages {
  return MESSAGES[locale];
}
