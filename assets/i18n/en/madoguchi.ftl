# Madoguchi — English

app-name = Madoguchi
demo-badge = Demo (virtual card)
demo-banner = Demo mode: using the virtual card "{ $profile }" (no card reader needed). The demo card's password is in the README.

## Card status (madoguchi status)

status-readers = Card readers
status-no-readers = No card reader was found.
status-reader-card-present = card present
status-reader-empty = no card
status-card = Card
status-card-kind = Card type
card-kind-my-number-card = My Number card
card-kind-juki-card = Basic Resident Register card (Juki card)
card-kind-smartphone-android = Smartphone (Android)
card-kind-smartphone-iphone = Smartphone (iPhone)
card-kind-other = Other card ({ $label })
pin-signing-password = Signing certificate password
pin-authentication-pin = User authentication PIN
pin-card-info-pin = Card information input PIN
pin-tries-left = { $tries } of { $max } tries left
pin-locked = locked
pin-already-verified = already verified
status-no-try-spent = (reading the counts does not use up a try)

## Certificate (madoguchi cert)

cert-title = Signing certificate
cert-subject = Subject
cert-issuer = Issuer
cert-serial = Serial number
cert-valid-from = Valid from
cert-valid-until = Valid until
cert-fingerprint = SHA-256 fingerprint
cert-expired = This certificate has expired.
holder-title = Holder facts recorded in the certificate
holder-name = Name
holder-address = Address
holder-sex = Sex
holder-birth-date = Date of birth
sex-male = Male
sex-female = Female
sex-not-applicable = Not applicable
sex-other = Other ({ $code })

## Password entry

password-prompt = Enter the signing certificate password (6 to 16 capital letters and digits):
password-tries-left = { $tries } more wrong entries will lock the password.
password-warning-two-left = Careful: 2 more wrong entries will lock the password.
password-last-try = This is the last try. A wrong entry locks the card, and unlocking needs a visit to the municipal office.
password-last-try-confirm = Send it anyway? (type yes):
password-last-try-needs-flag = Only 1 try is left, so nothing is sent without confirmation. Check the password, then run again with --confirm-last-try.
password-uppercased = Lowercase letters were changed to capitals.
password-from-stdin-empty = No password could be read from standard input.

## Error display

error-heading = Error { $number }: { $title }
error-resident = What to do
error-staff = For counter staff
error-manual = Manual { $section }

## Error catalogue (docs/errors.md is generated from these entries)

error-101-title = The smart-card service is not running
error-101-cause = The computer's smart-card service (Windows: Smart Card service, Linux: pcscd, macOS: CryptoTokenKit) is stopped or not installed.
error-101-resident = Restart the computer and try again. If that does not help, reinstall the driver that came with the card reader.
error-101-staff = Check the service and start it (Windows: "Smart Card" in services.msc; Linux: systemctl start pcscd.socket). On counter terminals set it to start automatically.
error-102-title = No card reader is connected
error-102-cause = No IC card reader is connected, it is switched off, or its driver is missing.
error-102-resident = Plug the card reader firmly into the computer and check that it is on. The screen updates by itself when the reader is connected.
error-102-staff = Try another USB port and check that the system sees the reader (Linux: pcsc_scan). Readers may not be visible through a remote desktop session.
error-103-title = The chosen card reader was not found
error-103-cause = No reader with the given name is connected, or the name is misspelt.
error-103-resident = Check the reader's connection. Without a reader name, Madoguchi picks the reader that holds a card.
error-103-staff = List the connected readers with madoguchi status and pass one of those names.
error-104-title = No card in the reader
error-104-cause = The reader holds no card, or the card is not inserted the right way.
error-104-resident = Insert the My Number card all the way, chip side the right way round (on a contactless reader, lay the card on it).
error-104-staff = Check the card's orientation. Try another card; if none is read, suspect the reader.
error-105-title = This is not a My Number card
error-105-cause = The card in the reader has no JPKI (public personal authentication) application; it may be a bank card or another card.
error-105-resident = Check that the card in the reader is your My Number card.
error-105-staff = The JPKI application cannot be selected. If it is a My Number card, its chip may be faulty: explain how to have the card reissued.
error-106-title = Unexpected error (the card was removed)
error-106-cause = The card was taken out of the reader, or lost contact, while it was being read or written.
error-106-resident = Insert the card firmly again and start over. No password try was used up.
error-106-staff = Ask the resident not to touch the card during the procedure. Contactless cards slip easily: fix the card's position.
error-107-title = The card is in use by another program
error-107-cause = Another program (for example other JPKI software) holds the card exclusively.
error-107-resident = Close other card software and try again.
error-107-staff = Quit other programs that use the card (JPKI user software, browser extensions).
error-108-title = The card does not answer
error-108-cause = The card or reader did not answer in time.
error-108-resident = Take the card out, insert it again and retry.
error-108-staff = Reconnect the reader. If it persists, try another reader.
error-109-title = Card reader error
error-109-cause = The card reader or its driver reported an error.
error-109-resident = Reconnect the card reader and try again.
error-109-staff = Update the driver and note the details shown.
error-110-title = Wrong password
error-110-cause = The signing certificate password entered does not match the one on the card.
error-110-resident = Check the password and enter it again. Watch the number of tries left: at 0 the card locks.
error-110-staff = When few tries are left, do not let the resident guess: offer the password reset procedure (identity documents needed).
error-111-title = The password is locked
error-111-cause = Too many wrong passwords were entered in a row, so the card locked the password.
error-111-resident = The lock is lifted at your municipal office. Bring your My Number card and identification. If you forgot the password, it can be reset at the same visit.
error-111-staff = Carry out the lock release (and, if needed, the password reset). Madoguchi sends no password to a locked card, so the count is unchanged.
error-112-title = The password has not been verified
error-112-cause = Protected data was read before the password was verified.
error-112-resident = Start the procedure again.
error-112-staff = This should not happen. If it repeats, report it to the developers.
error-113-title = The password has the wrong format
error-113-cause = The password entered is not 6 to 16 capital letters and digits. It was not sent to the card; no try was used up.
error-113-resident = Use only letters A–Z and digits 0–9, 6 to 16 characters. Symbols and spaces are not allowed.
error-113-staff = Explain the password rules. If the resident does not remember it, offer the password reset procedure.
error-114-title = Same as the password just rejected
error-114-cause = The password entered is the one the card rejected a moment ago. Sending it would use up a try.
error-114-resident = Recall a different password before entering it. If you are unsure, ask at the municipal office.
error-114-staff = Help the resident check their password records so the same mistake does not cost a try.
error-115-title = Confirm the last try
error-115-cause = Only 1 try is left. A wrong password locks the card, so nothing is sent without confirmation.
error-115-resident = Check the password and choose "Send" on the confirmation screen. If unsure, a reset at the office is safer.
error-115-staff = Let the resident enter the password only if they are sure of it.
error-116-title = Unexpected answer from the card
error-116-cause = The card returned a status code Madoguchi does not expect here.
error-116-resident = Insert the card again and start over.
error-116-staff = Note the status code shown. If it repeats, the card may be faulty.
error-117-title = The card's data cannot be read
error-117-cause = Data read from the card is malformed (the manual's "error importing the information needed").
error-117-resident = Insert the card again and retry.
error-117-staff = If it repeats, the card may be faulty: explain how to have it reissued.
