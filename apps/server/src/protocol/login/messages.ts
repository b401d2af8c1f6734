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
  readonly factorTitle: string;
  readonly factorTotpLead: string;
  /** Shown with where the code went, partly hidden. */
  readonly factorSmsLead: (destination: string) => string;
  readonly factorEmailLead: (destination: string) => string;
  readonly code: string;
  readonly codeHint: string;
  readonly verify: string;
  readonly factorFailed: string;
  /** No way to pass the second factor: the account's verified number or address cannot get a code. */
  readonly factorUnreachable: string;
  readonly otherMethods: string;
  readonly useTotp: string;
  readonly useSms: string;
  readonly useEmail: string;
  readonly resend: string;
  readonly enrolTitle: string;
  readonly enrolLead: string;
  readonly qrAlt: string;
  readonly secretLabel: string;
  readonly recoveryTitle: string;
  readonly recoveryLead: string;
  readonly continue: string;
  readonly passkeyLead: string;
  readonly usePasskey: string;
  readonly passkeyFailed: string;
  readonly passkeyAddTitle: string;
  readonly passkeyAddLead: string;
  readonly passkeyAdd: string;
  readonly passkeyAddedTitle: string;
  readonly passkeyAddedLead: string;
  readonly passkeySignInFirst: string;
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
    factorTitle: 'Confirm it is you',
    factorTotpLead: 'Enter the 6-digit code from your authenticator app.',
    factorSmsLead: (to) => `We sent a code by text message to ${to}. Enter it below.`,
    factorEmailLead: (to) => `We sent a code by e-mail to ${to}. Enter it below.`,
    code: 'Code',
    codeHint: 'You can also enter one of your recovery codes.',
    verify: 'Verify',
    factorFailed: 'The code is incorrect or has expired.',
    factorUnreachable:
      'No code can be sent to the phone number or e-mail address of your account. Ask your administrator to correct it, then sign in again.',
    otherMethods: 'Other ways to confirm',
    useTotp: 'Use the authenticator app',
    useSms: 'Send a code by text message',
    useEmail: 'Send a code by e-mail',
    resend: 'Send a new code',
    enrolTitle: 'Set up an authenticator app',
    enrolLead:
      'This sign-in needs a second factor. Scan the QR code with an authenticator app, or type in the key, then enter the 6-digit code the app shows.',
    qrAlt: 'QR code for the authenticator app',
    secretLabel: 'Key',
    recoveryTitle: 'Save your recovery codes',
    recoveryLead:
      'If you lose your device, each code works once in place of a code from the app. They are shown only now: write them down or keep them somewhere safe.',
    continue: 'Continue',
    passkeyLead: 'Confirm with your passkey: your device asks for your fingerprint, face or PIN.',
    usePasskey: 'Use a passkey',
    passkeyFailed: 'The passkey could not be used. Try again, or choose another way.',
    passkeyAddTitle: 'Add a passkey',
    passkeyAddLead:
      'A passkey on this device or a security key can confirm your sign-ins in place of a code.',
    passkeyAdd: 'Add a passkey',
    passkeyAddedTitle: 'Passkey added',
    passkeyAddedLead: 'You can now confirm your sign-ins with this passkey.',
    passkeySignInFirst: 'Sign in to an application first, then come back to add a passkey.',
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
    factorTitle: 'Vahvista henkilöllisyytesi',
    factorTotpLead: 'Anna todennussovelluksesi näyttämä 6-numeroinen koodi.',
    factorSmsLead: (to) => `Lähetimme koodin tekstiviestillä numeroon ${to}. Anna se alle.`,
    factorEmailLead: (to) => `Lähetimme koodin sähköpostilla osoitteeseen ${to}. Anna se alle.`,
    code: 'Koodi',
    codeHint: 'Voit antaa myös jonkin varakoodeistasi.',
    verify: 'Vahvista',
    factorFailed: 'Koodi on virheellinen tai vanhentunut.',
    factorUnreachable:
      'Tilisi puhelinnumeroon tai sähköpostiosoitteeseen ei voi lähettää koodia. Pyydä ylläpitäjää korjaamaan se ja kirjaudu sitten uudelleen.',
    otherMethods: 'Muut vahvistustavat',
    useTotp: 'Käytä todennussovellusta',
    useSms: 'Lähetä koodi tekstiviestillä',
    useEmail: 'Lähetä koodi sähköpostilla',
    resend: 'Lähetä uusi koodi',
    enrolTitle: 'Ota todennussovellus käyttöön',
    enrolLead:
      'Tämä kirjautuminen vaatii toisen tunnistustekijän. Skannaa QR-koodi todennussovelluksella tai kirjoita avain, ja anna sitten sovelluksen näyttämä 6-numeroinen koodi.',
    qrAlt: 'QR-koodi todennussovellukselle',
    secretLabel: 'Avain',
    recoveryTitle: 'Tallenna varakoodisi',
    recoveryLead:
      'Jos laitteesi katoaa, kukin koodi käy kerran sovelluksen koodin sijasta. Ne näytetään vain nyt: kirjoita ne muistiin tai säilytä ne turvallisessa paikassa.',
    continue: 'Jatka',
    passkeyLead: 'Vahvista pääsyavaimella: laitteesi kysyy sormenjälkeä, kasvoja tai PIN-koodia.',
    usePasskey: 'Käytä pääsyavainta',
    passkeyFailed: 'Pääsyavainta ei voitu käyttää. Yritä uudelleen tai valitse toinen tapa.',
    passkeyAddTitle: 'Lisää pääsyavain',
    passkeyAddLead:
      'Tämän laitteen pääsyavain tai suojausavain voi vahvistaa kirjautumisesi koodin sijasta.',
    passkeyAdd: 'Lisää pääsyavain',
    passkeyAddedTitle: 'Pääsyavain lisätty',
    passkeyAddedLead: 'Voit nyt vahvistaa kirjautumisesi tällä pääsyavaimella.',
    passkeySignInFirst:
      'Kirjaudu ensin johonkin sovellukseen ja palaa sitten lisäämään pääsyavain.',
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
    factorTitle: 'Bekräfta att det är du',
    factorTotpLead: 'Ange den 6-siffriga koden från din autentiseringsapp.',
    factorSmsLead: (to) => `Vi skickade en kod med sms till ${to}. Ange den nedan.`,
    factorEmailLead: (to) => `Vi skickade en kod med e-post till ${to}. Ange den nedan.`,
    code: 'Kod',
    codeHint: 'Du kan också ange en av dina reservkoder.',
    verify: 'Verifiera',
    factorFailed: 'Koden är felaktig eller har gått ut.',
    factorUnreachable:
      'Ingen kod kan skickas till telefonnumret eller e-postadressen för ditt konto. Be din administratör att rätta det och logga sedan in igen.',
    otherMethods: 'Andra sätt att bekräfta',
    useTotp: 'Använd autentiseringsappen',
    useSms: 'Skicka en kod med sms',
    useEmail: 'Skicka en kod med e-post',
    resend: 'Skicka en ny kod',
    enrolTitle: 'Konfigurera en autentiseringsapp',
    enrolLead:
      'Den här inloggningen kräver en andra faktor. Skanna QR-koden med en autentiseringsapp eller skriv in nyckeln, och ange sedan den 6-siffriga koden som appen visar.',
    qrAlt: 'QR-kod för autentiseringsappen',
    secretLabel: 'Nyckel',
    recoveryTitle: 'Spara dina reservkoder',
    recoveryLead:
      'Om du förlorar din enhet fungerar varje kod en gång i stället för en kod från appen. De visas bara nu: skriv ner dem eller förvara dem på ett säkert ställe.',
    continue: 'Fortsätt',
    passkeyLead:
      'Bekräfta med din nyckel: enheten frågar efter fingeravtryck, ansikte eller PIN-kod.',
    usePasskey: 'Använd en nyckel',
    passkeyFailed: 'Nyckeln kunde inte användas. Försök igen eller välj ett annat sätt.',
    passkeyAddTitle: 'Lägg till en nyckel',
    passkeyAddLead:
      'En nyckel på den här enheten eller en säkerhetsnyckel kan bekräfta dina inloggningar i stället för en kod.',
    passkeyAdd: 'Lägg till en nyckel',
    passkeyAddedTitle: 'Nyckeln har lagts till',
    passkeyAddedLead: 'Du kan nu bekräfta dina inloggningar med den här nyckeln.',
    passkeySignInFirst:
      'Logga först in i ett program och kom sedan tillbaka för att lägga till en nyckel.',
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
