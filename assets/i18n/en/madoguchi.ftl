# Madoguchi — English

app-name = Madoguchi
demo-badge = Demo (virtual card)
demo-banner = Demo mode: using the virtual card "{ $profile }" (no card reader needed). The demo card's password is in the README.

## Card status (madoguchi status)

status-readers = Card readers
status-no-readers = No card reader was found.
status-reader-card-present = card present
status-reader-empty = no card
status-reader-virtual = virtual reader: used only with --reader
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
error-102-resident = Plug the card reader firmly into the computer and check that it is on. On screen, reading goes on by itself once the My Number card is in the reader (if it does not, press "Read the card again"). From the command line, insert the card and run the command again.
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
error-106-resident = Insert the card firmly again and start over. No password had been sent to the card (or it had already been found correct), so no try was used up.
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
error-115-resident = Check the password and press "I am sure: go to the password" on the confirmation screen. If unsure, a reset at the office is safer.
error-115-staff = Let the resident enter the password only if they are sure of it.
error-116-title = Unexpected answer from the card
error-116-cause = The card returned a status code Madoguchi does not expect here.
error-116-resident = Insert the card again and start over.
error-116-staff = Note the status code shown. If it repeats, the card may be faulty.
error-117-title = The card's data cannot be read
error-117-cause = Data read from the card is malformed (the manual's "error importing the information needed").
error-117-resident = Insert the card again and retry.
error-117-staff = If it repeats, the card may be faulty: explain how to have it reissued.
error-118-title = Cards are in more than one reader
error-118-cause = More than one card reader holds a card, and Madoguchi does not choose one for you: the password must go to the card you mean.
error-118-resident = Press "Choose the card reader" and choose the reader that holds your My Number card, or take out the cards you are not using and press "Read the card again". On the command line, name the reader with madoguchi --reader NAME (`madoguchi status` lists the readers).
error-118-staff = Choose the reader with the resident's My Number card on the screen, or take the other cards out of their readers. The chosen reader is used until the app closes or that reader is unplugged.
error-119-title = The only card is in a virtual reader
error-119-cause = The card is in a virtual card reader (such as "Virtual PCD"), not a physical one. Any program on this computer can pose as the card in a virtual reader and would receive the password.
error-119-resident = Put your My Number card into your physical card reader and press "Read the card again". Choose a virtual reader (with "Choose the card reader") only when the staff tell you to.
error-119-staff = A virtual reader (vsmartcard vpcd) is installed. It is used only when chosen on the screen or by name (madoguchi --reader "Virtual PCD 00 00"); remove it from machines residents use.
error-120-title = Unexpected error (contact with the card was lost while the password was being checked)
error-120-cause = The password had been sent to the card, and before the card's answer came back, the card was removed or the card or reader stopped answering. If the password was wrong, one try may have been used up.
error-120-resident = Insert the card firmly again. Before any password is sent, the number of tries left is read again from the card and shown (reading it uses no try). Check it before you enter the password.
error-120-staff = Whether a try was used shows in the count read when the card is inserted again (also with madoguchi status). Ask the resident not to touch the card during the procedure; fix a contactless card's position.

## Procedures (madoguchi revoke / check): screens and confirmations

procedure-heading = JPKI online window
procedure-revocation = Revocation of my own signing certificate
procedure-validity-check = Validity check of my own signing certificate
procedure-stopped = The procedure was stopped.
screen-card-preparation = Import the information needed: check that the card reader is on and put your My Number card in it.
screen-card-preparation-validity = Import the information needed for the check: check that the card reader is on and put your My Number card in it.
screen-login = Login: enter the password of your signing certificate. Leave the card in the reader.
screen-login-signing = Login (signature): to make the electronic signature, the password is checked once more.
screen-review = Check the imported information
review-procedure = Procedure
review-certificate = Certificate (serial number / issuer)
document-statement-revocation = I request the revocation of my own signing certificate.
document-statement-validity = I request a validity check of my own signing certificate.
document-addressed-to = addressed to { $to }
document-name = Applicant's name
document-address = Applicant's address
document-sex = Applicant's sex
document-birth-date = Applicant's date of birth
screen-sign-confirmation-revocation = Signature: the revocation request will now be signed electronically.
screen-sign-confirmation-validity = Signature: the validity-check request will now be signed electronically.
screen-send-confirmation = Sending: the request, its signature and your certificate go to the online window. Once sent, this cannot be undone.
send-to = Destination: { $url }
password-again-for-signature = Entering the password makes the signature. This takes a moment; leave the card in the reader.
cli-yes-no = [y/N]
cli-answered-yes = y (--yes)
ask-card-ready = Is the card in the reader?
ask-continue-despite-issuer = Go on anyway? (the online window decides)
ask-sign = If everything shown is correct, make the electronic signature?
ask-make-signature = Make the electronic signature now?
ask-send = Send now? (this cannot be undone)
ask-retry-card = Put the card in again and retry?
ask-back-to-import = Start again from importing the information?
ask-sign-again = Go back to the imported information and sign again?
ask-retry-network = Connect again?
ask-resend = Send the same request again? (it is never accepted twice)
working-reading-card = Reading the card
working-checking-password = Checking the password
working-contacting = Contacting the online window
working-signing = Making the electronic signature (leave the card in the reader)
working-sending = Sending
working-busy-wait = The online window is busy. Sending again in { $seconds } seconds (try { $wait } of { $of }).
network-sent-unknown = The request may have arrived. Sending the same request again never gets it accepted twice.

## Results (2.1.9, 2.2.14, 2.2.15, 3.1.9–3.1.12)

result-accepted-title = Online revocation request accepted
result-accepted-body = The revocation request was accepted. The certificate is actually revoked from the next day's certificate revocation list (CRL). The private key and the certificate stay on the card: ask the municipal office that issued the certificate to erase them.
result-already-revoked-title = Revocation request for a certificate already revoked
result-already-revoked-body = This certificate is already revoked. There is no need to request its revocation.
result-duplicate-request-title = Second revocation request for the same certificate
result-duplicate-request-body = An online revocation request for this certificate was already accepted and will be carried out. There is no need to request it again.
result-valid-title = Online validity check: valid
result-valid-body = The validity check was done. The certificate is not on the revocation records at this time: it is valid.
result-issuer-error-title = Online validity check: issuer error
result-issuer-error-body = The certificate was not issued by a JPKI certification authority. Start again with a certificate issued by the JPKI.
result-revoked-title = Online validity check: revoked
result-revoked-body = This certificate is already revoked.
result-revocation-accepted-title = Online validity check: online revocation accepted
result-revocation-accepted-body = An online revocation request for this certificate was already accepted; the revocation will be carried out as requested.
result-checked-at = Checked at
# 2.1.9 受理通知: when the window accepted this revocation.
result-received-at = Accepted at
result-receipt = Receipt number
result-accepted-at = Revocation request accepted at
result-revoked-at = Revoked at
result-remove-card = Take the card out of the reader.

## Changing the password (madoguchi change-password)

change-password-old = Current password:
change-password-new = New password (6–16 capital letters and digits):
change-password-new-again = New password again:
change-password-mismatch = the two entries of the new password differ
change-password-done = The signing certificate's password was changed.

## The online window's certificate (madoguchi server-info)

server-info-title = Server certificate of the online window
server-info-url = Address
server-info-tls = TLS
server-info-anchor = Trusted root
server-info-trusted = This server certificate chains to the trusted root.

## Error catalogue: certificates (2xx)

error-201-title = The certificate has expired
error-201-cause = The signing certificate on the card is past its expiry date. No signature was made and nothing was sent.
error-201-resident = An expired certificate is not valid and needs no revocation. Your municipal office issues a new one.
error-201-staff = Check the validity dates (madoguchi cert) and help the resident renew the certificate.
error-202-title = This may not be a JPKI certificate
error-202-cause = The certificate's issuer is not a JPKI signing certification authority known to Madoguchi.
error-202-resident = Check that you are using your My Number card (signing certificate). If you go on, the online window decides.
error-202-staff = Check the issuer name. If a genuine card shows this, check the configured JPKI signing CA certificates (/etc/madoguchi/jpki-ca or the signing_cas setting, docs/admin-presets.md).
error-203-title = The certificate's signature cannot be verified
error-203-cause = The issuer's name is that of a JPKI certification authority, but its signature on the certificate does not verify. The certificate may be forged or damaged.
error-203-resident = Going on with this card is not advised. Press "Stop the application" (in a validity check, "Stop the check") and ask your municipal office. If you press "Continue anyway", the online window verifies the certificate and decides.
error-203-staff = Look at the certificate in a certificate viewer. The card may need to be reissued.
error-204-title = The certificate cannot be read
error-204-cause = The signing certificate read from the card is not well formed (import error).
error-204-resident = Put the card in again and restart from the import.
error-204-staff = If it repeats, check whether the JPKI user software can show the certificate; the card may be faulty.
error-205-title = The holder's facts cannot be read
error-205-cause = Name, address, sex and date of birth are not correctly recorded in the signing certificate (import error).
error-205-resident = Put the card in again and restart from the import. If it repeats, ask your municipal office.
error-205-staff = Check the certificate's subjectAltName; the certificate may need to be reissued.
error-207-title = The card's signature does not match its certificate
error-207-cause = The signature the card made does not verify with the card's certificate. Nothing was sent.
error-207-resident = Put the card in again and restart from the import. If it repeats, ask your municipal office.
error-207-staff = The private key and the certificate may not belong together; consider reissuing the certificate.

## Error catalogue: network and TLS (3xx)

error-301-title = Cannot connect to the online window
error-301-cause = The online window's server could not be reached (name not found, connection refused, no network). Nothing was sent.
error-301-resident = Check your internet connection and try again later.
error-301-staff = Check the address, DNS, firewall and proxy settings.
error-302-title = The online window does not answer
error-302-cause = The online window did not answer in time.
error-302-resident = Try again later.
error-302-staff = Check the line and the proxy. After a timeout during sending, sending the same request again is safe: it is never accepted twice.
error-303-title = The server's certificate is not trusted
error-303-cause = The server's certificate does not chain to the trusted root. This may not be the real online window, so nothing was sent.
error-303-resident = Stop the procedure. Check that the address is the one published on the JPKI portal site.
error-303-staff = Check the address and the --anchor setting. If a corporate proxy intercepts TLS, review its configuration.
error-304-title = The server's certificate has expired
error-304-cause = The server's certificate is outside its validity period. The computer's clock may also be wrong. Nothing was sent.
error-304-resident = Check the computer's date and time. If they are right, try again later.
error-304-staff = Check the terminal's time synchronisation. If the time is right, tell the online window's operator.
error-305-title = The server's name does not match its certificate
error-305-cause = The server's certificate is not for the name that was contacted. Nothing was sent.
error-305-resident = Check the address. If unsure, stop the procedure.
error-305-staff = Check that the host name given with --server is a name in the certificate.
error-306-title = Not an encrypted address
error-306-cause = The online window's address does not start with https://. Nothing is ever sent over an unencrypted connection.
error-306-resident = Use the correct address starting with https://.
error-306-staff = Set --server or MADOGUCHI_SERVER to an https:// address.
error-307-title = No secure connection
error-307-cause = Encrypted communication (TLS 1.2 or later) with the server could not be started. Nothing was sent.
error-307-resident = Try again later.
error-307-staff = Check that the server supports TLS 1.2 or later and that nothing on the way rewrites the traffic.
error-308-title = Proxy error
error-308-cause = The proxy setting is wrong, or the proxy did not relay the connection.
error-308-resident = Ask your network administrator.
error-308-staff = Check --proxy (none / system / http://HOST:PORT) and the HTTPS_PROXY and NO_PROXY variables.
error-309-title = The connection broke after sending
error-309-cause = The connection broke after the request was sent, and the online window's answer did not arrive. The request may have arrived.
error-309-resident = Sending the same request again never gets it accepted twice. Send it again, or later check the result with a validity check.
error-309-staff = No new signature was made. Sending the same request again is safe (same answer, one record).
error-310-title = Unexpected answer from the online window
error-310-cause = The online window's answer was not in the prescribed form.
error-310-resident = Start again later.
error-310-staff = Check that the address is the online window and that no proxy rewrites its answers.
error-311-title = No online window configured
error-311-cause = The online window's address is missing or not a valid address.
error-311-resident = Ask the counter staff or the administrator.
error-311-staff = Set server and anchor in the administrator's settings file (/etc/madoguchi/settings.toml and the like), or --server and --anchor on the command line (docs/admin-presets.md). The demo runs with --demo.
error-312-title = The trusted root cannot be read
error-312-cause = The trusted root certificate file cannot be read or holds no certificate.
error-312-resident = Ask the counter staff or the administrator.
error-312-staff = Check the file given with --anchor (PEM or DER).
error-313-title = The online window's answer is too large
error-313-cause = The online window's answer grew larger than any answer of the procedure can be, so Madoguchi stopped reading it. The application may have arrived.
error-313-resident = Stop the procedure and ask the counter staff or the administrator. After a revocation, a validity check tells whether it was accepted.
error-313-staff = Check the window's address and the proxy. The window's answers are JSON of a few hundred bytes; this one passed the 64 KiB cap, so Madoguchi stopped reading and closed the connection.
error-314-title = The online window's answer did not finish in time
error-314-cause = The online window's answer did not finish within the time allowed for one exchange (60 seconds). The application may have arrived.
error-314-resident = Please try again later. After a revocation, a validity check tells whether it was accepted.
error-314-staff = Check the line and the proxy. An answer that arrives only a few bytes at a time ends this way too. Sending the same application again is never counted twice.
error-315-title = Nothing is set to check the online window's certificate
error-315-cause = The online window's address is set, but no trusted root certificate (anchor) to check its certificate. Madoguchi trusts no certificate by default, so it did not connect. Nothing was sent.
error-315-resident = Ask the counter staff or the administrator.
error-315-staff = Set the online window's root certificate (PEM or DER) as anchor in the administrator's settings file, or with --anchor (docs/admin-presets.md).
error-316-title = The demo's certificates work only on this machine
error-316-cause = The demo's certificate authority is trusted only for the demo window running on this machine (127.0.0.1). It was not used for another address, and no connection was made.
error-316-resident = Ask the counter staff or the administrator.
error-316-staff = For the real online window, start without --demo, with the administrator's settings (server and anchor).
error-317-title = A JPKI signing CA certificate cannot be read
error-317-cause = A configured JPKI signing CA certificate file cannot be read or is not a certificate.
error-317-resident = Ask the counter staff or the administrator. Meanwhile the online window checks the issuer.
error-317-staff = Check the files in /etc/madoguchi/jpki-ca, the signing_cas setting, or --signing-ca (PEM or DER).

## Error catalogue: answers of the online window (4xx)

error-401-title = The online window is busy
error-401-cause = The online window was too busy to handle the request, and stayed busy after waiting and sending again.
error-401-resident = Try again a little later.
error-401-staff = Try again at another time. The request sent was not processed.
error-402-title = Online window service error
error-402-cause = The online window failed during the service and could not go on.
error-402-resident = Start again from the beginning a little later. When a signed request exists, "Send the same request again" on screen sends it once more instead (it is never accepted twice).
error-402-staff = If it persists, tell the online window's operator.
error-403-title = Received data is malformed
error-403-cause = The request (revocation or validity-check request), signature and certificate the online window received are not in the prescribed format.
error-403-resident = Start again from the first step, importing the information.
error-403-staff = If it repeats, check the versions of Madoguchi and of the online window and report it to the developers.
error-404-title = Certificate validity check error
error-404-cause = The certificate's issuer name does not match a JPKI certification authority, so the certificate does not seem to have been issued by the JPKI.
error-404-resident = Start again with a certificate issued by the JPKI (the signing certificate of your My Number card).
error-404-staff = Check that the "Issuer of this certificate" shown on the screen (also on the details of the certificate viewer) is the name of the JPKI signing certification authority.
error-405-title = Certificate verification error
error-405-cause = The certification authority's signature on the certificate could not be verified.
error-405-resident = Start again from the first step, importing the information. If it shows again, ask your municipal office.
error-405-staff = Check that a certificate viewer shows the certificate correctly.
error-406-title = Request verification error
error-406-cause = The signature on the request (revocation or validity-check request) could not be verified.
error-406-resident = Start again from the first step, importing the information. If it shows again, check the content on the review screen.
error-406-staff = The card may be faulty or the data changed on the way. If it repeats, report it to the developers.
error-407-title = Expired certificate
error-407-cause = The online window found the certificate expired.
error-407-resident = An expired certificate is not valid and needs no revocation. Also check the computer's date.
error-407-staff = Check the certificate's validity and the terminal's clock.
error-408-title = Revocation request for a certificate already revoked
error-408-cause = The certificate attached to the request is already revoked.
error-408-resident = It is already revoked; no revocation request is needed.
error-408-staff = If a new certificate is needed, help with the issuing procedure.
error-409-title = Second revocation request for the same certificate
error-409-cause = An online revocation request for the same certificate was already accepted.
error-409-resident = The accepted request will be carried out; there is no need to request it again.
error-409-staff = The earlier request's receipt number is in the answer's details (--json).
error-410-title = The request's time ran out
error-410-cause = The online window's check number (challenge) in the request had expired or was already used. The request was not accepted.
error-410-resident = Go back to the imported information, sign again and send.
error-410-staff = This happens when more than 5 minutes pass between signing and sending. Also check the terminal's clock.
error-501-title = The demo cannot start
error-501-cause = The demo's virtual card and online window could not be made ready (the temporary folder is not writable, the given demo material is missing, and so on).
error-501-resident = Ask the counter staff or the administrator. Procedures with a real card are not affected.
error-501-staff = Read the detail shown. If MADOGUCHI_DEMO_MATERIAL is set, check that its folder holds pki/ and cards/.
error-502-title = The staff PIN is not correct
error-502-cause = The staff PIN that opens Settings does not match the administrator's preset.
error-502-resident = Settings are for the staff. The procedures start from revocation or the validity check.
error-502-staff = Enter the PIN the administrator gave you. If it is forgotten, the administrator makes a new value with madoguchi staff-pin-hash and replaces staff_pin in the settings file.
error-503-title = The staff PIN setting is not valid
error-503-cause = The staff_pin in the administrator's settings file is not an Argon2 hash string (or the PIN is too short).
error-503-resident = Ask the counter staff or the administrator.
error-503-staff = Put the string made by madoguchi staff-pin-hash (starting with $argon2id$) into staff_pin. The PIN needs at least 6 characters.

## The app (screens)

step-card = Card
step-password = Password
step-review = Check
step-signature = Signature
step-sending = Send
step-result = Result
step-position = Step { $n } of { $of }: { $name }
step-stopped = Stopped at step { $n } of { $of } ({ $name }). Please read the explanation below.
ui-demo-badge = DEMO
ui-counter-badge = Counter mode
ui-home = Top screen
ui-ok = OK
ui-close = Close
ui-cancel = Cancel
ui-staff-title = Settings are for the staff
ui-staff-explanation = This is a counter terminal. To open Settings, enter the staff PIN the administrator set. If you came for a procedure, press Cancel and start from the first screen.
ui-staff-label = Staff PIN
ui-staff-open = Open settings
review-issuer-not-checked = No JPKI certificate authority is set up on this computer, so the online window checks who issued the certificate.
staff-pin-prompt = Staff PIN (6 characters or more):
staff-pin-again = Again:
staff-pin-mismatch = The two entries differ.
ui-confirm = OK, go ahead
ui-start = Start
ui-error-number = Number: { $number } (tell this to the counter staff)
ui-technical-detail = Details: { $detail }
ui-show-details = Show the explanation for counter staff
ui-hide-details = Hide the explanation for counter staff
ui-settings-problem = A settings file could not be read (running with the defaults)

## Top screen

ui-top-intro = You can do the following with the signing certificate on your My Number card. Press the procedure you want.
ui-top-revocation-about = Ask for your signing certificate to be revoked (made unusable). This cannot be undone.
ui-top-validity-about = Check whether your signing certificate is still valid. Nothing on the card changes.
ui-top-needs-title = What you need
ui-top-needs-card = • Your My Number card
ui-top-needs-reader = • A card reader connected to this computer
ui-top-needs-password = • The signing password (6 to 16 letters and digits)
ui-top-tools = Check the card, settings
ui-tool-certificate = View the certificate
ui-tool-card-status = Card status (tries left)
ui-tool-change-password = Change the password
ui-tool-server-identity = Check the server
ui-tool-settings = Settings
ui-tool-reader = Choose the card reader
ui-tool-settings-staff = Settings (staff)
ui-top-no-window-title = No online window is set up on this computer
ui-top-no-window-body = So revocation and the validity check cannot be used now. Viewing the card's certificate, the card status and changing the password still work.
ui-top-no-window-admin = For the administrator: write the online window's address (server) and its root certificate (anchor) into the administrator's settings file (Linux /etc/madoguchi/settings.toml, Windows %ProgramData%\Madoguchi\settings.toml, macOS /Library/Application Support/Madoguchi/settings.toml). See docs/admin-presets.md (E{ $number }).
ui-top-counter-note = If your card was lost or stolen, report it at your municipal office, not here.

## Status

ui-status-no-service = Smart-card service stopped
ui-status-no-reader = No card reader
ui-status-reader-one = Card reader connected
ui-status-readers = { $n } card readers
ui-status-card-in = Card inserted
ui-status-card-out = No card inserted
ui-status-card-unknown = Card: unknown

## Demo

ui-demo-card = Demo card:
ui-demo-normal = Normal
ui-demo-expired = Expired
ui-demo-one-try-left = 1 try left
ui-demo-locked = Locked
ui-demo-foreign-ca = Foreign CA
ui-demo-revoked = Revoked
ui-demo-rare-kanji = Rare kanji
ui-demo-impostor-ca = Forged CA
ui-demo-juki = Juki card
ui-demo-remove = Take the card out
ui-demo-insert = Put the card in
ui-demo-password = Demo password: { $password }
ui-demo-switching = Preparing the demo card…

## Procedure screens

ui-procedure-name = Procedure: { $name }
ui-import-title-revocation = Reading what the application needs
ui-import-title-validity = Reading what the check needs
ui-import-what-revocation = Put the My Number card whose certificate you want revoked into the card reader.
ui-import-what-validity = Put the My Number card whose certificate you want checked into the card reader.
ui-import-step-1 = 1. Make sure the card reader is connected (the top right says "Card reader connected").
ui-import-step-2 = 2. Put your My Number card into the reader (or on it, for a contactless reader).
ui-import-step-3 = 3. Press "Read the card". You type the password on the next screen.
ui-read-card = Read the card
ui-read-card-again = Read the card again
ui-stop-revocation = Stop the application
ui-stop-validity = Stop the check
ui-back-to-import-revocation = Back to reading the card
ui-back-to-import-validity = Back to reading the card
ui-back-to-review = Back to the document
ui-cancel-signing = Do not sign
ui-cancel-sending = Do not send
ui-stop-waiting = Stop waiting
ui-continue-anyway = Continue anyway
ui-sign = Sign
ui-confirm-send = OK, send it
ui-retry = Connect again
ui-resend = Send the same request again
# 2.2.2 / 2.2.3 / 3.2.2 / 3.2.3 when a signed request exists: why resending is the same as starting over, and safe.
ui-resend-safe = Send it again a little later. "Send the same request again" sends the request and signature already made, instead of starting over (no password needed). The same request is never accepted twice, so resending is safe (if it was already accepted, you are told). To start over, press "Close".
ui-login-title = Log in
ui-login-signing-title = Log in (to sign)
ui-login-explanation = Type the signing password and press "OK". Leave the card in the reader.
ui-login-signing-explanation = The password is checked once more to make the signature. Press "Make the signature" to sign. Leave the card in the reader.
ui-pw-label = Password
ui-pw-placeholder = Type here
ui-pw-show = Show what I typed
ui-pw-hide = Hide what I typed
ui-pw-rules = 6 to 16 letters (A–Z) and digits (0–9). Lower case counts as upper case.
ui-pw-keep-card = Five wrong entries in a row lock the card. If you are not sure, press "Cancel" and ask at your municipal office.
ui-pw-submit-login = OK
ui-pw-submit-sign = Make the signature
ui-pw-tries = You can enter the password { $tries } more times.
ui-pw-tries-warning = Careful: { $tries } more wrong entries lock the card.
ui-pw-wrong = Wrong password. { $tries } more wrong entries lock the card.
ui-pw-hint-fullwidth = There are full-width characters. Type half-width letters and digits (caught before sending: no try used).
ui-pw-hint-invalid = There are characters other than letters and digits (symbols or spaces). This will not be sent.
ui-pw-hint-lowercase = Lower-case letters are sent as upper case.
ui-pw-hint-short = { $len } characters so far; at least { $min } are needed.
ui-pw-hint-long = { $len } characters; at most { $max } are allowed.
ui-pw-hint-length-ok = { $len } characters.
ui-pw-caps-lock = Caps Lock seems to be on (fine: this password is upper case anyway).
ui-last-try-headline = Only one try is left
ui-last-try-advice = If you are not sure of the password, stop here and have it reset at your municipal office (bring your My Number card and ID).
ui-last-try-confirm = I am sure: go to the password
ui-last-try-cancel = Stop without typing
ui-working-wait = Please wait.
ui-working-elapsed = { $seconds } s so far (usually done in about 10 s)
ui-working-keep-card = Do not take the card out.
ui-working-sending-note = Sending cannot be stopped. Please wait until the screen changes.
ui-issuer-warning-decide = If you go on, the online window decides. If this surprises you, press "Stop".
ui-show-certificate = Show the certificate
ui-show-server = Show the server's certificate
ui-review-intro-revocation = The card was read and the revocation request written. If it is correct, press "Sign". If something is wrong and you want to read the card again, press "Back to reading the card".
ui-review-intro-validity = The card was read and the validity-check request written. If it is correct, press "Sign". If something is wrong and you want to read the card again, press "Back to reading the card".
ui-review-check-hint = A long name or address: scroll down inside the box.
ui-sign-confirm-title = Confirm signing
ui-sign-confirm-revocation = A signature will be made on the revocation request. Go ahead?
ui-sign-confirm-validity = A signature will be made on the validity-check request. Go ahead?
ui-sign-confirm-note = After "OK, go ahead" you type the password once more.
ui-send-confirm-title = Confirm sending
ui-send-confirm-revocation = The revocation request, its signature and the certificate will be sent to the online window.
ui-send-confirm-validity = The validity-check request, its signature and the certificate will be sent to the online window.
ui-send-irrevocable = Once sent, the revocation cannot be withdrawn
ui-send-irrevocable-body = A revoked certificate can never be used again. A new one is issued at your municipal office.
ui-send-irrevocable-validity = Once sent, the validity-check request cannot be withdrawn
ui-send-irrevocable-validity-body = A validity check does not change the certificate. Wait until the result shows.
ui-applicant = Applicant
ui-counter-wipe-note = Taking the card out clears this person's data from the screen and memory and returns to the top screen.
ui-locked-body-revocation = A wrong password was entered five times in a row, so the password is locked. Online revocation is not possible while it is locked.
ui-locked-body-validity = A wrong password was entered five times in a row, so the password is locked. An online validity check is not possible while it is locked.
ui-problem-busy = The online window is busy
ui-problem-service-error = Online window error
ui-problem-card-service = Check the smart-card service
ui-problem-card-not-ready = Card not ready
ui-problem-unexpected = Unexpected error
ui-problem-locked = Password locked
ui-problem-import-revocation = The application data could not be read
ui-problem-import-validity = The check data could not be read
ui-problem-expired-revocation = Revocation of an expired certificate
ui-problem-expired-validity = Validity check of an expired certificate
ui-problem-malformed = Data format error
ui-problem-issuer = Certificate issuer error
ui-problem-certificate-invalid = Certificate verification error
ui-problem-signature-revocation = Revocation request verification error
ui-problem-signature-validity = Validity-check request verification error
ui-problem-challenge = The request timed out
ui-problem-network = Cannot talk to the online window

## Certificate viewer

ui-cert-heading = Certificate
ui-cert-tab-general = General
ui-cert-tab-details = Details
ui-cert-kind = Type
ui-cert-needs-password = Shows the signing certificate on the card. Reading it needs the signing password.
ui-cert-kind-signing = Signing certificate
ui-cert-state = Status
ui-cert-state-valid = Within its validity period
ui-cert-state-not-yet = Not valid yet
ui-cert-validity = Valid
ui-cert-version = Version
ui-cert-signature-algorithm = Signature algorithm
ui-cert-public-key = Public key
ui-cert-sha1 = SHA-1 fingerprint
ui-cert-critical = (critical)
ui-cert-export-label = Save to a file (where)
ui-cert-export-off = A counter terminal does not write the certificate to a file (nothing would wipe the file).
ui-cert-export-pem = Save as PEM
ui-cert-export-der = Save as DER
ui-cert-exported = Saved: { $path }
ui-cert-export-failed = Could not save

## Card status

ui-status-heading = Card status
ui-status-intro = The card type and the tries left of each password. No password is needed and no try is used.
ui-status-reader = Card reader
ui-status-auth-expiry = Authentication certificate expires
ui-status-unknown = Could not be read
ui-status-signing-expiry-note = The signing certificate's expiry is shown by "View the certificate" (needs the password).
ui-status-refresh = Read again

## Change the password

ui-change-heading = Change the signing password
ui-change-intro = Type the current password, then the new one twice. The new password has 6 to 16 letters and digits.
ui-change-old = Current password
ui-change-new = New password
ui-change-again = New password again
ui-change-submit = Change the password
ui-change-sending = Changing the password
ui-change-nothing-sent = Nothing was sent to the card. Please type them again.
ui-change-done-advice = Keep a note of the new password where nobody else can see it.

## Server

ui-server-intro = Checks with its certificate that the server is the real online window (like the browser's padlock and "View certificate").
ui-server-trusted = Connected securely. The server's certificate is trusted.
ui-server-compare = Compare the fingerprint with the one published on the JPKI portal site.
ui-server-refresh = Check again

## Settings

ui-settings-heading = Settings
ui-settings-language = Language
ui-settings-size = Text size
ui-settings-size-normal = Normal
ui-settings-size-large = Large
ui-settings-size-largest = Largest (200 %)
ui-settings-theme = Colours
ui-settings-theme-normal = Standard colours
ui-settings-theme-high = High contrast (white and yellow on black)
ui-settings-server = Online window address (https://…)
ui-settings-anchor = Trusted root certificate file (empty: the built-in one)
ui-settings-proxy = Proxy (system = the computer's / none / http://host:port)
ui-settings-counter = Counter mode (shared terminal: residents' data is cleared automatically)
ui-settings-counter-off = Off
ui-settings-counter-on = On
ui-settings-idle = Seconds without use before the data is cleared (counter mode)
ui-settings-save = Save
ui-settings-saved = Settings saved.
ui-settings-not-saved = The settings could not be saved
ui-settings-locked = Set by the administrator: cannot be changed.
ui-settings-demo-window = The demo connects to the built-in online window (inside this computer).

## Choosing the card reader (several readers hold cards, or only a virtual one does)

ui-reader-heading = Choose your card reader
ui-reader-intro = Press the card reader that holds your My Number card. Madoguchi uses the reader you choose until you close it.
ui-reader-lost = The card reader you chose ("{ $reader }") was unplugged. Please choose again.
ui-reader-none = No card reader is connected
ui-reader-none-hint = Connect a card reader to this computer and it will show up here.
ui-reader-card-in = A card is inserted
ui-reader-card-out = No card inserted
ui-reader-in-use = (the reader in use now)
ui-reader-virtual = Caution: this is a "virtual card reader", not a real device.
ui-reader-virtual-why = A program on this computer plays the card, and the password you type goes to that program. Do not choose it unless the staff tell you to.
ui-reader-name-hint = A reader's name usually holds the maker and model written on the device.
ui-reader-keys = With the keyboard: Tab moves between the readers, Enter chooses, Esc goes back.
ui-reader-back = Back
ui-reader-choose = Choose the card reader

## The card-removed screen (a card tool's card left the reader).
ui-card-removed-heading = The card was taken out
ui-card-removed-reinsert = Put your My Number card back in the card reader.
ui-card-removed-resume = Once the card is back, this goes on by itself. There is no button to press.
ui-card-removed-nothing-lost = No password was sent, so no try was used. To stop, press [Top screen].
recount-fewer = The card was read again. The tries left went down from { $before } to { $now }: the password entered before was most likely wrong.
recount-not-fewer = The card was read again. The tries left did not go down ({ $now } now).
recount-read = The card was read again.
recount-check = Check the tries left before you enter the password.
issuer-again = If this appears again after starting over, compare "Issuer of this certificate" below with "Correct issuer of signing certificates". If they differ, this is not the signing certificate of a My Number card. If they are the same and this still appears, ask your municipal office.
issuer-actual = Issuer of this certificate
issuer-expected = Correct issuer of signing certificates (JPKI signing certification authority)
issuer-expected-demo = Correct issuer of signing certificates (the demo's certification authority; in real use, the JPKI signing certification authority)
