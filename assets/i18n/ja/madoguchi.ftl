# Madoguchi — 日本語 (既定の言語)

app-name = 窓口 Madoguchi
demo-badge = デモ (仮想カード)
demo-banner = デモモード: 仮想カード「{ $profile }」を使います (カードリーダーは不要です)。デモカードのパスワードは README に書いてあります。

## カードの状態 (madoguchi status)

status-readers = カードリーダー
status-no-readers = カードリーダーが見つかりません。
status-reader-card-present = カードあり
status-reader-empty = カードなし
status-reader-virtual = 仮想カードリーダ: --reader で指定したときだけ使います
status-card = カード
status-card-kind = カードの種類
card-kind-my-number-card = マイナンバーカード
card-kind-juki-card = 住民基本台帳カード
card-kind-smartphone-android = スマートフォン (Android)
card-kind-smartphone-iphone = スマートフォン (iPhone)
card-kind-other = その他のカード ({ $label })
pin-signing-password = 署名用電子証明書のパスワード
pin-authentication-pin = 利用者証明用電子証明書の暗証番号
pin-card-info-pin = 券面事項入力補助用の暗証番号
pin-tries-left = あと { $tries } 回 (最大 { $max } 回)
pin-locked = ロックされています
pin-already-verified = 確認済み
status-no-try-spent = (回数を確かめるだけで、入力回数は減りません)

## 電子証明書 (madoguchi cert)

cert-title = 署名用電子証明書
cert-subject = 発行先
cert-issuer = 発行者
cert-serial = シリアル番号
cert-valid-from = 有効期間の開始
cert-valid-until = 有効期間の満了
cert-fingerprint = SHA-256 フィンガープリント
cert-expired = この電子証明書は有効期限が切れています。
holder-title = 電子証明書に記録された基本4情報
holder-name = 氏名
holder-address = 住所
holder-sex = 性別
holder-birth-date = 生年月日
sex-male = 男
sex-female = 女
sex-not-applicable = 適用不能
sex-other = その他 ({ $code })

## パスワード入力

password-prompt = 署名用電子証明書のパスワード (英大文字と数字 6〜16文字) を入力してください:
password-tries-left = パスワードはあと { $tries } 回まちがえるとロックされます。
password-warning-two-left = ご注意ください: あと 2 回まちがえるとロックされます。
password-last-try = 最後の 1 回です。まちがえるとカードがロックされ、市区町村の窓口での手続きが必要になります。
password-last-try-confirm = 本当に入力しますか? (はい = yes と入力):
password-last-try-needs-flag = 残りが 1 回のため、確認なしでは送信しません。確かめたうえで --confirm-last-try を付けて実行してください。
password-uppercased = 小文字を大文字に直しました。
password-from-stdin-empty = 標準入力からパスワードを読めませんでした。

## エラー表示の共通部分

error-heading = エラー { $number }: { $title }
error-resident = どうすればよいか
error-staff = 窓口の職員の方へ
error-manual = マニュアル { $section }

## エラー一覧 (docs/errors.md はここから作られます)

error-101-title = スマートカードのサービスが動いていません
error-101-cause = パソコンでICカードを扱うサービス (Windows: Smart Card サービス、Linux: pcscd、macOS: CryptoTokenKit) が止まっているか、入っていません。
error-101-resident = パソコンを再起動してから、もう一度お試しください。直らない場合は、カードリーダーの説明書にあるドライバーを入れ直してください。
error-101-staff = サービスの状態を確認し、起動してください (Windows: services.msc の「Smart Card」、Linux: systemctl start pcscd.socket)。窓口端末ではサービスを自動起動に設定してください。
error-102-title = カードリーダーがつながっていません
error-102-cause = パソコンにICカードリーダーが接続されていないか、電源が入っていないか、ドライバーが入っていません。
error-102-resident = カードリーダーをパソコンにしっかり差し込み、電源を確かめてください。画面では、カードリーダーにマイナンバーカードを入れると自動で読み取りに進みます (進まないときは「もう一度読み取る」を押してください)。コマンドでは、カードを入れてからもう一度実行してください。
error-102-staff = 別のUSB端子に差し替え、OSがリーダーを認識しているか確認してください (Linux: pcsc_scan)。リモートデスクトップ経由ではリーダーが見えないことがあります。
error-103-title = 指定したカードリーダーが見つかりません
error-103-cause = 指定された名前のカードリーダーが接続されていないか、名前が違います。
error-103-resident = カードリーダーの接続を確かめてください。名前を指定せずに実行すると、カードが入っているリーダーを自動で選びます。
error-103-staff = madoguchi status で接続中のリーダー名を確認し、その名前を指定してください。
error-104-title = カードが入っていません
error-104-cause = カードリーダーにカードが入っていないか、向きや差し込みが正しくありません。
error-104-resident = マイナンバーカードを、ICチップのある面を正しい向きにして、奥までしっかり差し込んでください (非接触型はリーダーの上に置いてください)。
error-104-staff = カードの向きと差し込み方を確認してください。別のカードで読めるか試し、読めなければリーダーの故障を疑ってください。
error-105-title = マイナンバーカードではありません
error-105-cause = 入っているカードに公的個人認証 (JPKI) の機能がありません。キャッシュカードなど別のカードの可能性があります。
error-105-resident = マイナンバーカードが入っているか確かめてください。
error-105-staff = 公的個人認証のアプリケーションが選択できないカードです。マイナンバーカードであれば、ICチップの故障の可能性があるため、カードの再交付を案内してください。
error-106-title = 予期しないエラー (カードが抜かれました)
error-106-cause = カードを読み書きしている途中で、カードがリーダーから抜かれたか、接触が切れました。
error-106-resident = カードをもう一度しっかり差し込み、最初からやり直してください。このときパスワードはカードに送っていない (または正しいと確かめられたあと) ので、入力できる回数は減っていません。
error-106-staff = 操作中はカードに触れないよう案内してください。非接触型リーダーではカードがずれやすいため、置き場所を固定してください。
error-107-title = カードが別のプログラムで使われています
error-107-cause = 別のプログラム (他の公的個人認証ソフトなど) がカードを専有しています。
error-107-resident = ほかのカード用ソフトを閉じてから、もう一度お試しください。
error-107-staff = カードを使う他のソフト (JPKI利用者ソフト、ブラウザの拡張など) を終了してください。
error-108-title = カードが応答しません
error-108-cause = カードまたはカードリーダーが決められた時間内に応答しませんでした。
error-108-resident = カードを抜いて差し直し、もう一度お試しください。
error-108-staff = リーダーを接続し直してください。続く場合は別のリーダーで試してください。
error-109-title = カードリーダーのエラー
error-109-cause = カードリーダーまたはドライバーがエラーを返しました。
error-109-resident = カードリーダーを接続し直し、もう一度お試しください。
error-109-staff = ドライバーを更新し、表示された詳細を記録してください。
error-110-title = パスワードがちがいます
error-110-cause = 入力した署名用電子証明書のパスワードが、カードに登録されたものと一致しませんでした。
error-110-resident = パスワードを確かめて入力し直してください。残りの回数に注意してください。0 回になるとカードがロックされます。
error-110-staff = 残り回数が少ない場合は無理に入力させず、パスワードの初期化の手続き (本人確認書類が必要) を案内してください。
error-111-title = パスワードがロックされています
error-111-cause = 間違ったパスワードが続けて入力されたため、カードのパスワードにロックがかかっています。
error-111-resident = ロックの解除は、お住まいの市区町村の窓口で行います。マイナンバーカードと本人確認書類をお持ちください。パスワードを忘れた場合は、同時に初期化の手続きもできます。
error-111-staff = パスワードロック解除 (と必要ならパスワード初期化) の手続きを行ってください。この状態ではカードにパスワードを送らないため、回数は変わりません。
error-112-title = パスワードの確認が済んでいません
error-112-cause = パスワードを確認する前に、保護された情報を読もうとしました。
error-112-resident = 最初からやり直してください。
error-112-staff = 通常は起きない状態です。繰り返す場合は開発元に報告してください。
error-113-title = パスワードの形式がちがいます
error-113-cause = 入力したパスワードが、英大文字と数字の 6〜16 文字ではありません。カードには送っていないので、回数は減っていません。
error-113-resident = 英字 (A〜Z) と数字 (0〜9) だけで、6〜16 文字で入力してください。記号や空白は使えません。
error-113-staff = パスワードの決まりを説明してください。覚えていない場合は初期化の手続きを案内してください。
error-114-title = さきほどまちがえたパスワードと同じです
error-114-cause = 直前にカードが受け付けなかったパスワードと同じものが入力されました。送ると回数が 1 回減ります。
error-114-resident = 別のパスワードを思い出してから入力してください。わからない場合は市区町村の窓口にご相談ください。
error-114-staff = 同じ誤りで回数を減らさないよう、パスワードの記録を確認するよう案内してください。
error-115-title = 最後の 1 回の確認が必要です
error-115-cause = パスワードの残りが 1 回です。まちがえるとロックされるため、確認なしでは送りません。
error-115-resident = パスワードを確かめ、確認の画面で「確かめたので入力に進む」を押してください。自信がなければ、窓口で初期化してもらうほうが安全です。
error-115-staff = 住民の方が確実に覚えている場合だけ入力してもらってください。
error-116-title = カードから予期しない応答がありました
error-116-cause = カードが想定していない状態コードを返しました。
error-116-resident = カードを差し直して、最初からやり直してください。
error-116-staff = 表示された状態コードを記録してください。繰り返す場合はカードの故障の可能性があります。
error-117-title = カードのデータを読めません
error-117-cause = カードから読み込んだデータの形式が正しくありません (申請に必要な情報の取込みエラー)。
error-117-resident = カードを差し直して、もう一度お試しください。
error-117-staff = 繰り返す場合はカードの故障の可能性があるため、再交付を案内してください。
error-118-title = 複数のカードリーダーにカードが入っています
error-118-cause = カードが入っているカードリーダーが複数あります。パスワードを送るカードを取り違えないよう、Madoguchi はカードリーダーを自動では選びません。
error-118-resident = 「カードリーダーを選ぶ」を押して、マイナンバーカードを入れたカードリーダーを選んでください。使わないカードを抜いてから「もう一度読み取る」を押してもかまいません。コマンドでは madoguchi --reader でカードリーダーを指定できます (一覧は madoguchi status)。
error-118-staff = 住民のマイナンバーカードが入ったカードリーダーを画面で選ぶか、それ以外のカードをカードリーダーから外してください。選んだカードリーダーは、アプリを閉じるか、そのカードリーダーが外されるまで使われます。
error-119-title = 仮想カードリーダーにしかカードがありません
error-119-cause = カードが本物のカードリーダーではなく、仮想カードリーダー (「Virtual PCD」など) にあります。仮想カードリーダーのカードには、このパソコンのどのプログラムでもなりすますことができ、パスワードがそのプログラムに渡ります。
error-119-resident = マイナンバーカードを本物のカードリーダーに入れてから「もう一度読み取る」を押してください。仮想カードリーダーは、係の人から言われたときだけ「カードリーダーを選ぶ」で選んでください。
error-119-staff = 仮想カードリーダー (vsmartcard vpcd) がインストールされています。画面で選んだとき、または名前で指定したとき (madoguchi --reader "Virtual PCD 00 00") だけ使われます。住民が使う端末からは削除してください。
error-120-title = 予期しないエラー (パスワードの確認中にカードとの通信が切れました)
error-120-cause = パスワードをカードに送ったあと、カードの答えが届く前に、カードが抜かれたか、カードまたはカードリーダーが応答しなくなりました。パスワードがまちがっていた場合は、入力できる回数が 1 回減っているかもしれません。
error-120-resident = カードをもう一度しっかり差し込んでください。パスワードを送る前に、残りの回数をカードから読み直して表示します (回数を読むだけでは減りません)。回数を確かめてから入力してください。
error-120-staff = 回数が減ったかどうかは、カードを差し直したときに表示される残り回数で確かめてください (madoguchi status でも確認できます)。操作中はカードに触れないよう案内し、非接触型リーダーではカードの置き場所を固定してください。

## 手続き (madoguchi revoke / check): 画面と確認

procedure-heading = 公的個人認証サービス オンライン窓口
procedure-revocation = 自己の電子証明書の失効申請
procedure-validity-check = 自己の電子証明書の有効性確認
procedure-stopped = 手続きを中止しました。
screen-card-preparation = 申請に必要な情報の取込み: ICカードリーダーの電源を確かめ、マイナンバーカードをリーダーに入れてください。
screen-card-preparation-validity = 確認に必要な情報の取込み: ICカードリーダーの電源を確かめ、マイナンバーカードをリーダーに入れてください。
screen-login = ログイン: 署名用電子証明書のパスワードを入力してください。カードは取り出さずにお待ちください。
screen-login-signing = ログイン (電子署名の作成): 電子署名を作成するために、もう一度パスワードを確認します。
screen-review = 取込み情報の確認
review-procedure = 手続名
review-certificate = 電子証明書 (シリアル番号 / 発行者)
document-statement-revocation = 自己の電子証明書の失効申請を依頼します。
document-statement-validity = 自己の電子証明書の有効性確認を依頼します。
document-addressed-to = 宛先: { $to }
document-name = 申請者の氏名
document-address = 申請者の住所
document-sex = 申請者の性別
document-birth-date = 申請者の生年月日
screen-sign-confirmation-revocation = 署名確認: 失効申請書の電子署名を作成します。
screen-sign-confirmation-validity = 署名確認: 有効性確認申請書の電子署名を作成します。
screen-send-confirmation = 送信確認: 申請書、電子署名、電子証明書をオンライン窓口へ送信します。送信すると取り消すことはできません。
send-to = 送信先: { $url }
password-again-for-signature = パスワードを入力すると電子署名を作成します。しばらく時間がかかりますので、カードは取り出さずにお待ちください。
cli-yes-no = [y/N]
cli-answered-yes = y (--yes)
ask-card-ready = カードを入れましたか?
ask-continue-despite-issuer = このまま続けますか? (オンライン窓口が最終的に判断します)
ask-sign = 表示された内容に誤りがなければ、電子署名を作成しますか?
ask-make-signature = 電子署名を作成してよろしいですか?
ask-send = 送信してよろしいですか? (取り消せません)
ask-retry-card = カードを入れ直して、もう一度やりますか?
ask-back-to-import = 情報の取込みからやり直しますか?
ask-sign-again = 取込み情報の確認に戻って、もう一度電子署名を作成しますか?
ask-retry-network = もう一度接続しますか?
ask-resend = 同じ申請書をもう一度送りますか? (二重には受け付けられません)
working-reading-card = カードを読んでいます
working-checking-password = パスワードを確認しています
working-contacting = オンライン窓口に接続しています
working-signing = 電子署名を作成しています (カードを取り出さないでください)
working-sending = 送信しています
working-busy-wait = オンライン窓口が混雑しています。{ $seconds } 秒待ってからもう一度送ります ({ $wait }/{ $of } 回目)。
network-sent-unknown = 申請書は届いている可能性があります。同じ申請書を送り直しても、二重に受け付けられることはありません。

## 結果 (2.1.9, 2.2.14, 2.2.15, 3.1.9〜3.1.12)

result-accepted-title = オンライン失効申請の受理通知
result-accepted-body = 失効申請を受理しました。電子証明書が実際に失効状態になるのは、翌日の証明書失効リスト (CRL) が発行された時からです。ICカードには秘密鍵と電子証明書が残っています。電子証明書の発行を受けた市区町村の窓口で、秘密鍵と電子証明書の消去を申請してください。
result-already-revoked-title = 失効済電子証明書に対する失効申請
result-already-revoked-body = この電子証明書はすでに失効しています。失効申請を行う必要はありません。
result-duplicate-request-title = 同一の電子証明書に対する二重の失効申請
result-duplicate-request-body = この電子証明書に対するオンライン失効申請はすでに受理しています。受理した内容で失効処理を行いますので、再度申請する必要はありません。
result-valid-title = オンライン有効性確認結果通知: 有効
result-valid-body = 有効性確認を実施しました。電子証明書は現時点において失効記録に記載されておらず、「有効」です。
result-issuer-error-title = オンライン有効性確認結果通知: 有効性確認のエラー
result-issuer-error-body = 電子証明書の発行者が公的個人認証サービスの認証局ではありません。公的個人認証サービスの認証局で発行された電子証明書で、はじめからやり直してください。
result-revoked-title = オンライン有効性確認結果通知: 失効済み
result-revoked-body = この電子証明書はすでに失効しています。
result-revocation-accepted-title = オンライン有効性確認結果通知: オンライン失効申請受理済み
result-revocation-accepted-body = この電子証明書に対するオンライン失効申請をすでに受理しています。受理した内容で失効処理が行われます。
result-checked-at = 確認日時
# 2.1.9 受理通知: when the window accepted this revocation.
result-received-at = 受理日時
result-receipt = 受付番号
result-accepted-at = 失効申請の受理日時
result-revoked-at = 失効日時
result-remove-card = ICカードをカードリーダーから抜いてください。

## パスワードの変更 (madoguchi change-password)

change-password-old = 現在のパスワード:
change-password-new = 新しいパスワード (英大文字と数字 6〜16 文字):
change-password-new-again = 新しいパスワードをもう一度:
change-password-mismatch = 新しいパスワードが 2 回とも同じではありません
change-password-done = 署名用電子証明書のパスワードを変更しました。

## オンライン窓口の証明書 (madoguchi server-info)

server-info-title = オンライン窓口のサーバ証明書
server-info-url = 接続先
server-info-tls = TLS
server-info-anchor = 信頼するルート証明書
server-info-trusted = このサーバ証明書は、信頼するルート証明書につながっていることを確認しました。

## エラー一覧: 電子証明書 (2xx)

error-201-title = 電子証明書の有効期限が切れています
error-201-cause = カードの署名用電子証明書は有効期限を過ぎています。電子署名は作成せず、何も送信していません。
error-201-resident = 有効期限の切れた電子証明書は有効ではなく、失効申請の必要もありません。新しい電子証明書は、お住まいの市区町村の窓口で発行を受けられます。
error-201-staff = 有効期間 (満了日) を madoguchi cert などで確認し、電子証明書の更新手続きを案内してください。
error-202-title = 公的個人認証サービスの電子証明書ではない可能性があります
error-202-cause = 電子証明書の発行者が、Madoguchi の知っている公的個人認証サービスの署名用認証局ではありません。
error-202-resident = マイナンバーカード (署名用電子証明書) で行っているか確かめてください。続けた場合はオンライン窓口が判断します。
error-202-staff = 証明書の発行者名を確認してください。正しいカードでこの表示が出る場合は、公的個人認証サービスの署名用認証局の証明書の設定 (/etc/madoguchi/jpki-ca または設定の signing_cas、docs/admin-presets.md) を確認してください。
error-203-title = 電子証明書の署名を確認できません
error-203-cause = 電子証明書の発行者名は公的個人認証サービスの認証局と同じですが、認証局の電子署名を検証できませんでした。偽造または破損の可能性があります。
error-203-resident = このカードで手続きを進めることはおすすめしません。「申請中止」(有効性確認では「確認中止」) を押して、市区町村の窓口にご相談ください。「このまま続ける」を押した場合は、オンライン窓口が電子証明書を検証して判断します。
error-203-staff = 証明書の内容を証明書表示ツールで確認してください。カードの再交付が必要な可能性があります。
error-204-title = 電子証明書を読み取れません
error-204-cause = カードから読み込んだ署名用電子証明書の形式が正しくありません (申請に必要な情報の取込みエラー)。
error-204-resident = カードを差し直して、取込みからやり直してください。
error-204-staff = 繰り返す場合は、利用者クライアントソフトで証明書を表示できるか確認し、カードの故障を疑ってください。
error-205-title = 電子証明書の基本4情報を読み取れません
error-205-cause = 署名用電子証明書に氏名、住所、性別、生年月日が正しく記録されていません (申請に必要な情報の取込みエラー)。
error-205-resident = カードを差し直して、取込みからやり直してください。直らない場合は市区町村の窓口にご相談ください。
error-205-staff = 証明書の subjectAltName を確認し、必要なら電子証明書の再発行を案内してください。
error-207-title = カードの電子署名が電子証明書と合いません
error-207-cause = カードが作成した電子署名を、カードの電子証明書で検証できませんでした。申請書は送信していません。
error-207-resident = カードを差し直して、取込みからやり直してください。直らない場合は市区町村の窓口にご相談ください。
error-207-staff = 秘密鍵と電子証明書が対応していない可能性があります。電子証明書の再発行を検討してください。

## エラー一覧: 通信と TLS (3xx)

error-301-title = オンライン窓口に接続できません
error-301-cause = オンライン窓口のサーバに接続できませんでした (名前が見つからない、接続を拒否された、ネットワークがつながっていない)。何も送信していません。
error-301-resident = インターネットにつながっているか確かめて、しばらくしてからもう一度お試しください。
error-301-staff = 接続先のアドレス、DNS、ファイアウォール、プロキシの設定を確認してください。
error-302-title = オンライン窓口から応答がありません
error-302-cause = 決められた時間内にオンライン窓口から応答がありませんでした。
error-302-resident = しばらくしてからもう一度お試しください。
error-302-staff = 回線の状態とプロキシを確認してください。送信後の時間切れでは、同じ申請書を送り直しても二重には受け付けられません。
error-303-title = 接続先のサーバ証明書を信頼できません
error-303-cause = 接続先のサーバ証明書が、信頼するルート証明書につながっていません。本物のオンライン窓口ではない可能性があるため、何も送信していません。
error-303-resident = 手続きを中止してください。公的個人認証サービスポータルサイトに載っている接続先か確かめてください。
error-303-staff = 接続先アドレスと --anchor の設定を確認してください。社内プロキシが TLS を中継している場合は、その設定を見直してください。
error-304-title = 接続先のサーバ証明書の有効期限が切れています
error-304-cause = 接続先のサーバ証明書が有効期間外です。パソコンの時計が狂っている可能性もあります。何も送信していません。
error-304-resident = パソコンの日付と時刻を確かめてください。正しければ、しばらくしてからもう一度お試しください。
error-304-staff = 端末の時刻同期を確認してください。時刻が正しい場合はオンライン窓口の運用者に連絡してください。
error-305-title = 接続先の名前がサーバ証明書と一致しません
error-305-cause = サーバ証明書が、接続しようとした名前のものではありません。何も送信していません。
error-305-resident = 接続先のアドレスを確かめてください。わからなければ手続きを中止してください。
error-305-staff = --server に指定したホスト名が証明書の名前と一致しているか確認してください。
error-306-title = 暗号化されていない接続先です
error-306-cause = 接続先のアドレスが https:// ではありません。暗号化されていない接続では、何も送信しません。
error-306-resident = https:// で始まる正しい接続先を指定してください。
error-306-staff = --server または MADOGUCHI_SERVER の設定を https:// のアドレスに直してください。
error-307-title = 安全な接続を確立できません
error-307-cause = 接続先と暗号化通信 (TLS 1.2 以上) を始められませんでした。何も送信していません。
error-307-resident = しばらくしてからもう一度お試しください。
error-307-staff = 接続先が TLS 1.2 以上に対応しているか、途中の機器が通信を書き換えていないか確認してください。
error-308-title = プロキシのエラー
error-308-cause = 指定されたプロキシの設定が正しくないか、プロキシが接続を中継しませんでした。
error-308-resident = ネットワークの管理者にご相談ください。
error-308-staff = --proxy (none / system / http://HOST:PORT) と環境変数 HTTPS_PROXY、NO_PROXY を確認してください。
error-309-title = 送信後に通信が切れました
error-309-cause = 申請書を送った後で通信が切れ、オンライン窓口の応答を受け取れませんでした。申請書は届いている可能性があります。
error-309-resident = 同じ申請書をもう一度送っても、二重に受け付けられることはありません。送り直すか、しばらくしてから有効性確認で結果を確かめてください。
error-309-staff = 新しい電子署名は作成していません。同じ申請書の再送は安全です (同じ応答が返り、記録は1件です)。
error-310-title = オンライン窓口から想定外の応答がありました
error-310-cause = オンライン窓口の応答が、決められた形式ではありませんでした。
error-310-resident = しばらくしてから、はじめからやり直してください。
error-310-staff = 接続先が正しいオンライン窓口か、途中のプロキシが応答を書き換えていないか確認してください。
error-311-title = オンライン窓口が設定されていません
error-311-cause = オンライン窓口のアドレスが指定されていないか、正しい形式ではありません。
error-311-resident = 窓口の職員または管理者にご相談ください。
error-311-staff = 管理者の設定ファイル (/etc/madoguchi/settings.toml など) の server と anchor、またはコマンドの --server と --anchor を設定してください (docs/admin-presets.md)。デモは --demo で動きます。
error-312-title = ルート証明書を読み込めません
error-312-cause = 指定された信頼するルート証明書のファイルを読めないか、証明書が入っていません。
error-312-resident = 窓口の職員または管理者にご相談ください。
error-312-staff = --anchor に指定したファイル (PEM または DER) を確認してください。
error-313-title = オンライン窓口からの応答が大きすぎます
error-313-cause = オンライン窓口からの応答が、手続きの応答としてはありえない大きさになったため、途中で読むのをやめました。申請書は届いている可能性があります。
error-313-resident = 手続きを中止し、窓口の職員または管理者にご相談ください。失効申請のときは、受け付けられたかどうかを「有効性確認」で確かめられます。
error-313-staff = 接続先アドレスとプロキシを確認してください。オンライン窓口の応答はふつう数百バイトの JSON です。上限 (64 KiB) を超えたので、読むのをやめて接続を切りました。
error-314-title = オンライン窓口の応答が時間内に終わりません
error-314-cause = オンライン窓口からの応答が、1 回の通信に決められた時間 (60 秒) のうちに終わりませんでした。申請書は届いている可能性があります。
error-314-resident = しばらくしてからもう一度お試しください。失効申請のときは、受け付けられたかどうかを「有効性確認」で確かめられます。
error-314-staff = 回線の状態とプロキシを確認してください。応答が少しずつしか届かない場合も、このエラーになります。同じ申請書を送り直しても、二重には受け付けられません。
error-315-title = オンライン窓口の証明書を確かめる設定がありません
error-315-cause = オンライン窓口のアドレスは設定されていますが、その証明書を確かめるためのルート証明書 (anchor) が設定されていません。Madoguchi は最初から信頼している証明書を持たないため、接続しませんでした。何も送っていません。
error-315-resident = 窓口の職員または管理者にご相談ください。
error-315-staff = 管理者の設定ファイルの anchor、またはコマンドの --anchor に、オンライン窓口のルート証明書 (PEM または DER) を設定してください (docs/admin-presets.md)。
error-316-title = デモ用の証明書は、この端末の中でしか使えません
error-316-cause = デモの認証局は、この端末の中で動くデモ用のオンライン窓口 (127.0.0.1) にしか使えません。ほかの接続先には使わず、接続しませんでした。
error-316-resident = 窓口の職員または管理者にご相談ください。
error-316-staff = 本番のオンライン窓口を使うときは --demo を付けずに、管理者の設定 (server と anchor) で起動してください。
error-317-title = 署名用認証局の証明書を読み込めません
error-317-cause = 設定された公的個人認証サービスの署名用認証局の証明書ファイルを読めないか、証明書ではありません。
error-317-resident = 窓口の職員または管理者にご相談ください。この間、発行者の確認はオンライン窓口が行います。
error-317-staff = /etc/madoguchi/jpki-ca のファイル、設定の signing_cas、またはコマンドの --signing-ca を確認してください (PEM または DER)。

## エラー一覧: オンライン窓口の応答 (4xx)

error-401-title = オンライン窓口サービスの混雑
error-401-cause = オンライン窓口が混雑していて、申請を処理できませんでした。待ってから再送しましたが混雑が続いています。
error-401-resident = しばらく経ってから、もう一度お試しください。
error-401-staff = 時間帯をずらして再度行ってください。送信済みの申請書は処理されていません。
error-402-title = オンライン窓口サービスのエラー
error-402-cause = オンライン窓口のサービス中に不具合が発生し、処理を続けられませんでした。
error-402-resident = しばらく経ってから、はじめからやり直してください。作成済みの申請書があるときは、画面の「同じ申請書をもう一度送る」で送り直すこともできます (二重に受け付けられることはありません)。
error-402-staff = 続く場合はオンライン窓口の運用者に連絡してください。
error-403-title = 受信データの形式エラー
error-403-cause = オンライン窓口が受け取った申請書 (失効申請書または有効性確認申請書)、電子署名、電子証明書のデータ形式が、決められた形式に合っていませんでした。
error-403-resident = はじめの情報の取込みからやり直してください。
error-403-staff = 繰り返す場合は Madoguchi の版とオンライン窓口の版を確認し、開発元に報告してください。
error-404-title = 電子証明書の有効性確認のエラー
error-404-cause = 電子証明書の発行者名が公的個人認証サービスの認証局と一致しないため、公的個人認証サービスの認証局で発行された電子証明書ではないと考えられます。
error-404-resident = 公的個人認証サービスの認証局で発行された電子証明書 (マイナンバーカードの署名用電子証明書) で、はじめからやり直してください。
error-404-staff = 画面に出ている「この電子証明書の発行者名」(証明書表示の詳細でも確認できます) が、公的個人認証サービスの署名用認証局の名前と同じか確認してください。
error-405-title = 電子証明書の検証エラー
error-405-cause = 電子証明書に付けられた認証局の電子署名を、正しく検証できませんでした。
error-405-resident = はじめの情報の取込みからやり直してください。再度表示された場合は、市区町村の窓口にご相談ください。
error-405-staff = 証明書表示ツールで証明書の内容が正しく表示されるか確認してください。
error-406-title = 申請書の検証エラー
error-406-cause = 申請書 (失効申請書または有効性確認申請書) に付けられた電子署名を、正しく検証できませんでした。
error-406-resident = はじめの情報の取込みからやり直してください。再度表示された場合は、取込み情報の確認画面の内容を確かめてください。
error-406-staff = カードの故障や途中の改ざんの可能性があります。繰り返す場合は開発元に報告してください。
error-407-title = 有効期限切れの電子証明書
error-407-cause = オンライン窓口が、電子証明書の有効期限が切れていると判断しました。
error-407-resident = 有効期限の切れた電子証明書は有効ではなく、失効申請の必要もありません。パソコンの日付も確かめてください。
error-407-staff = 証明書の有効期間と端末の時刻を確認してください。
error-408-title = 失効済電子証明書に対する失効申請
error-408-cause = 添付された電子証明書は、すでに失効しています。
error-408-resident = すでに失効しているため、失効申請を行う必要はありません。
error-408-staff = 新しい電子証明書が必要な場合は発行手続きを案内してください。
error-409-title = 同一の電子証明書に対する二重の失効申請
error-409-cause = 同じ電子証明書に対するオンライン失効申請を、すでに受理しています。
error-409-resident = 受理済みの申請で失効処理が行われますので、再度申請する必要はありません。
error-409-staff = 先に受理された申請の受付番号は、応答の詳細 (--json) で確認できます。
error-410-title = 申請の有効時間が過ぎました
error-410-cause = 申請書に入れたオンライン窓口の確認番号 (チャレンジ) が、期限切れか使用済みでした。申請は受け付けられていません。
error-410-resident = 取込み情報の確認に戻り、もう一度電子署名を作成して送ってください。
error-410-staff = 電子署名の作成から送信までに 5 分以上かかると起きます。端末の時計も確認してください。
error-501-title = デモを始められません
error-501-cause = デモ用の仮想カードとオンライン窓口を用意できませんでした (一時フォルダに書けない、指定したデモ用の素材がない、など)。
error-501-resident = 窓口の職員または管理者にご相談ください。本物のカードでの手続には影響しません。
error-501-staff = 表示された詳細を確認してください。MADOGUCHI_DEMO_MATERIAL を設定している場合は、そのフォルダに pki/ と cards/ があるか確認してください。
error-502-title = 職員用の暗証番号が違います
error-502-cause = 設定画面を開くための職員用の暗証番号が、管理者の設定と一致しませんでした。
error-502-resident = 設定画面は職員用です。手続は「自己の電子証明書の失効申請」または「有効性確認」から行えます。
error-502-staff = 管理者から知らされた暗証番号を入れてください。忘れた場合は、管理者が madoguchi staff-pin-hash で新しい値を作り、設定ファイルの staff_pin を置き換えます。
error-503-title = 職員用の暗証番号の設定が正しくありません
error-503-cause = 管理者の設定ファイルの staff_pin が Argon2 のハッシュ文字列ではありません (または暗証番号が短すぎます)。
error-503-resident = 窓口の職員または管理者にご相談ください。
error-503-staff = madoguchi staff-pin-hash で作った文字列 ($argon2id$ で始まるもの) を staff_pin に書いてください。暗証番号は 6 文字以上にしてください。

## アプリ (画面)

step-card = カード準備
step-password = パスワード
step-review = 内容確認
step-signature = 電子署名
step-sending = 送信
step-result = 結果
step-position = 手順 { $n } / { $of }: { $name }
step-stopped = 手順 { $n } / { $of }「{ $name }」で止まりました。下の説明をお読みください。
ui-demo-badge = デモ
ui-counter-badge = 窓口モード
ui-home = トップ画面へ
ui-ok = OK
ui-close = 閉じる
ui-cancel = キャンセル
ui-staff-title = 設定は職員用です
ui-staff-explanation = この端末は窓口用です。設定を開くには、管理者が決めた職員用の暗証番号を入れてください。手続を行う方は「キャンセル」を押して、最初の画面から始めてください。
ui-staff-label = 職員用の暗証番号
ui-staff-open = 設定を開く
review-issuer-not-checked = この端末には公的個人認証サービスの認証局が設定されていないため、証明書の発行者はオンライン窓口が確認します。
staff-pin-prompt = 職員用の暗証番号 (6 文字以上):
staff-pin-again = もう一度:
staff-pin-mismatch = 2 回の入力が一致しません。
ui-confirm = 了解
ui-start = はじめる
ui-error-number = 番号: { $number } (窓口でお伝えください)
ui-technical-detail = 詳しい情報: { $detail }
ui-show-details = 窓口の職員向けの説明を表示
ui-hide-details = 窓口の職員向けの説明を隠す
ui-settings-problem = 設定ファイルを読めませんでした (既定の設定で動いています)

## トップ画面

ui-top-intro = マイナンバーカードの署名用電子証明書について、次の手続きができます。行いたい手続きを押してください。
ui-top-revocation-about = 署名用電子証明書を使えなくする (失効させる) 申請をします。申請すると取り消せません。
ui-top-validity-about = 署名用電子証明書が今も有効かどうかを確かめます。証明書は変わりません。
ui-top-needs-title = 用意するもの
ui-top-needs-card = ・マイナンバーカード
ui-top-needs-reader = ・パソコンにつないだICカードリーダー
ui-top-needs-password = ・署名用電子証明書のパスワード (英字と数字で6〜16文字)
ui-top-tools = カードの確認と設定
ui-tool-certificate = 電子証明書を見る
ui-tool-card-status = カードの状態 (残り回数)
ui-tool-change-password = パスワードの変更
ui-tool-server-identity = 接続先の確認
ui-tool-settings = 設定
ui-tool-reader = カードリーダーを選ぶ
ui-tool-settings-staff = 設定 (職員用)
ui-top-no-window-title = この端末では、オンライン窓口が設定されていません
ui-top-no-window-body = そのため、失効申請と有効性確認は、いまは使えません。カードの証明書の表示、カードの状態、パスワードの変更は使えます。
ui-top-no-window-admin = 管理者の方へ: 管理者の設定ファイル (Linux は /etc/madoguchi/settings.toml、Windows は %ProgramData%\Madoguchi\settings.toml、macOS は /Library/Application Support/Madoguchi/settings.toml) に、オンライン窓口のアドレス (server) とそのルート証明書 (anchor) を書いてください。詳しくは docs/admin-presets.md にあります (E{ $number })。
ui-top-counter-note = カードをなくした・盗まれたときは、この画面ではなく、お住まいの市区町村の窓口に届け出てください。

## 状態表示

ui-status-no-service = ICカードのサービス停止中
ui-status-no-reader = カードリーダーなし
ui-status-reader-one = カードリーダー接続中
ui-status-readers = カードリーダー { $n } 台
ui-status-card-in = カードあり
ui-status-card-out = カードが入っていません
ui-status-card-unknown = カード: 確認できません

## デモ

ui-demo-card = デモ用カード:
ui-demo-normal = 通常
ui-demo-expired = 期限切れ
ui-demo-one-try-left = 残り1回
ui-demo-locked = ロック済み
ui-demo-foreign-ca = 他の認証局
ui-demo-revoked = 失効済み
ui-demo-rare-kanji = 外字の氏名
ui-demo-impostor-ca = 偽の認証局
ui-demo-juki = 住基カード
ui-demo-remove = カードを抜く
ui-demo-insert = カードを入れる
ui-demo-password = デモのパスワード: { $password }
ui-demo-switching = デモ用カードを準備しています…

## 手続きの画面

ui-procedure-name = 手続名: { $name }
ui-import-title-revocation = 申請に必要な情報の取込み
ui-import-title-validity = 確認に必要な情報の取込み
ui-import-what-revocation = 失効申請をしたい電子証明書が入ったマイナンバーカードを、カードリーダーに入れてください。
ui-import-what-validity = 有効性を確かめたい電子証明書が入ったマイナンバーカードを、カードリーダーに入れてください。
ui-import-step-1 = 1. カードリーダーがパソコンにつながっていることを確かめます (画面右上に「カードリーダー接続中」と出ます)。
ui-import-step-2 = 2. マイナンバーカードをカードリーダーに入れます (置くタイプのリーダーは上に置きます)。
ui-import-step-3 = 3. 「カードを読み取る」を押します。パスワードは次の画面で入力します。
ui-read-card = カードを読み取る
ui-read-card-again = もう一度読み取る
ui-stop-revocation = 申請中止
ui-stop-validity = 確認中止
ui-back-to-import-revocation = 申請に必要な情報の取込み画面に戻る
ui-back-to-import-validity = 確認に必要な情報の取込み画面に戻る
ui-back-to-review = 取込み情報の確認に戻る
ui-cancel-signing = 署名中止
ui-cancel-sending = 送信中止
ui-stop-waiting = 待つのをやめる
ui-continue-anyway = このまま続ける
ui-sign = 電子署名
ui-confirm-send = 了解 (送信する)
ui-retry = もう一度接続する
ui-resend = 同じ申請書をもう一度送る
# 2.2.2 / 2.2.3 / 3.2.2 / 3.2.3 when a signed request exists: why resending is the same as starting over, and safe.
ui-resend-safe = しばらく経ってから、もう一度送ってください。「同じ申請書をもう一度送る」は、はじめからやり直す代わりに、作成済みの申請書と電子署名をそのまま送り直します (パスワードの入力は要りません)。同じ申請書は二重に受け付けられないので、送り直しても安全です (受け付け済みの場合は、その旨が表示されます)。はじめからやり直すときは「閉じる」を押してください。
ui-login-title = ログイン
ui-login-signing-title = ログイン (電子署名の作成)
ui-login-explanation = 署名用電子証明書のパスワードを入力して、「OK」を押してください。カードは取り出さずにお待ちください。
ui-login-signing-explanation = 電子署名を作成するために、もう一度パスワードを確かめます。「電子署名を作成」を押すと署名を作ります。カードは取り出さずにお待ちください。
ui-pw-label = パスワード
ui-pw-placeholder = ここに入力
ui-pw-show = 入力した文字を表示
ui-pw-hide = 入力した文字を隠す
ui-pw-rules = 英字 (A〜Z) と数字 (0〜9) で 6〜16 文字です。小文字で入力しても大文字として扱います。
ui-pw-keep-card = 5回続けてまちがえるとカードがロックされます。自信がないときは「キャンセル」を押して、市区町村の窓口にご相談ください。
ui-pw-submit-login = OK
ui-pw-submit-sign = 電子署名を作成
ui-pw-tries = パスワードはあと { $tries } 回まで入力できます。
ui-pw-tries-warning = ご注意ください: あと { $tries } 回まちがえるとロックされます。
ui-pw-wrong = パスワードがちがいます。あと { $tries } 回まちがえるとロックされます。
ui-pw-hint-fullwidth = 全角の文字が入っています。半角の英字と数字で入力してください (送る前に気づいたので、回数は減りません)。
ui-pw-hint-invalid = 英字と数字以外の文字 (記号や空白) が入っています。このままでは送りません。
ui-pw-hint-lowercase = 小文字は大文字として送ります。
ui-pw-hint-short = いま { $len } 文字です。{ $min } 文字以上必要です。
ui-pw-hint-long = いま { $len } 文字です。{ $max } 文字までです。
ui-pw-hint-length-ok = { $len } 文字です。
ui-pw-caps-lock = Caps Lock がオンのようです (このパスワードは大文字なので、そのままで問題ありません)。
ui-last-try-headline = パスワードの入力は、あと1回だけです
ui-last-try-advice = パスワードに自信がないときは、ここでやめて、市区町村の窓口でパスワードの初期化の手続きをしてください (マイナンバーカードと本人確認書類が必要です)。
ui-last-try-confirm = 確かめたので入力に進む
ui-last-try-cancel = 入力しないでやめる
ui-working-wait = しばらくお待ちください。
ui-working-elapsed = { $seconds } 秒経過 (ふつうは10秒ほどで終わります)
ui-working-keep-card = カードは取り出さないでください。
ui-working-sending-note = 送信中は取り消せません。画面が変わるまでお待ちください。
ui-issuer-warning-decide = このまま続けると、オンライン窓口が最終的に判断します。心当たりがなければ「申請中止」を押してください。
ui-show-certificate = 電子証明書を表示
ui-show-server = 接続先の証明書を表示
ui-review-intro-revocation = カードから申請に必要な情報を取り込み、失効申請書を作りました。内容に誤りがなければ「電子署名」を押してください。表示された文字に誤りがあり、もう一度取り込む場合は「申請に必要な情報の取込み画面に戻る」を押してください。
ui-review-intro-validity = カードから確認に必要な情報を取り込み、有効性確認申請書を作りました。内容に誤りがなければ「電子署名」を押してください。表示された文字に誤りがあり、もう一度取り込む場合は「確認に必要な情報の取込み画面に戻る」を押してください。
ui-review-check-hint = 氏名・住所が長いときは枠の中を下へスクロールして確かめてください。
ui-sign-confirm-title = 署名確認
ui-sign-confirm-revocation = 失効申請書の電子署名を作成します。よろしいですか?
ui-sign-confirm-validity = 有効性確認申請書の電子署名を作成します。よろしいですか?
ui-sign-confirm-note = 「了解」を押すと、もう一度パスワードを入力する画面になります。
ui-send-confirm-title = 送信確認
ui-send-confirm-revocation = 失効申請書、電子署名、電子証明書をオンライン窓口へ送信します。
ui-send-confirm-validity = 有効性確認申請書、電子署名、電子証明書をオンライン窓口へ送信します。
ui-send-irrevocable = 送信すると、失効申請は取り消せません
ui-send-irrevocable-body = 失効した電子証明書は二度と使えません。新しい電子証明書は市区町村の窓口で発行を受けます。
ui-send-irrevocable-validity = 送信すると、有効性確認申請は取り消せません
ui-send-irrevocable-validity-body = 有効性確認は電子証明書を変えません。結果が表示されるまでお待ちください。
ui-applicant = 申請者名
ui-counter-wipe-note = カードを抜くと、この方の情報は画面とメモリから消え、トップ画面に戻ります。
ui-locked-body-revocation = 間違ったパスワードが5回続けて入力されたため、パスワードロックがかかりました。この状態では、オンラインでの失効申請はできません。
ui-locked-body-validity = 間違ったパスワードが5回続けて入力されたため、パスワードロックがかかりました。この状態では、オンラインでの有効性確認はできません。
ui-problem-busy = オンライン窓口サービスの混雑
ui-problem-service-error = オンライン窓口サービスのエラー
ui-problem-card-service = ICカードのサービスの確認
ui-problem-card-not-ready = ICカード準備エラー
ui-problem-unexpected = 予期しないエラー
ui-problem-locked = パスワードロック
ui-problem-import-revocation = 申請に必要な情報の取込みエラー
ui-problem-import-validity = 確認に必要な情報の取込みエラー
ui-problem-expired-revocation = 有効期限切れの電子証明書に対する失効申請
ui-problem-expired-validity = 有効期限切れの電子証明書に対する有効性確認
ui-problem-malformed = 受信データの形式エラー
ui-problem-issuer = 電子証明書の有効性確認のエラー
ui-problem-certificate-invalid = 電子証明書の検証エラー
ui-problem-signature-revocation = 失効申請書の検証エラー
ui-problem-signature-validity = 有効性確認申請書の検証エラー
ui-problem-challenge = 申請の有効時間切れ
ui-problem-network = オンライン窓口との通信エラー

## 電子証明書の表示

ui-cert-heading = 電子証明書の表示
ui-cert-tab-general = 全般
ui-cert-tab-details = 詳細
ui-cert-kind = 種類
ui-cert-needs-password = カードの署名用電子証明書を表示します。読み取るには、署名用電子証明書のパスワードが必要です。
ui-cert-kind-signing = 署名用電子証明書
ui-cert-state = 状態
ui-cert-state-valid = 有効期間内です
ui-cert-state-not-yet = まだ有効期間になっていません
ui-cert-validity = 有効期間
ui-cert-version = バージョン
ui-cert-signature-algorithm = 署名アルゴリズム
ui-cert-public-key = 公開鍵
ui-cert-sha1 = SHA-1 フィンガープリント
ui-cert-critical = (重要)
ui-cert-export-label = ファイルに保存 (保存先)
ui-cert-export-off = 窓口用の端末では、証明書をファイルに書き出せません (書き出したファイルは消去されないためです)。
ui-cert-export-pem = PEM 形式で保存
ui-cert-export-der = DER 形式で保存
ui-cert-exported = 保存しました: { $path }
ui-cert-export-failed = 保存できませんでした

## カードの状態

ui-status-heading = カードの状態
ui-status-intro = カードの種類と、各パスワードの残り回数を表示します。パスワードの入力は不要で、回数も減りません。
ui-status-reader = カードリーダー
ui-status-auth-expiry = 利用者証明用電子証明書の有効期限
ui-status-unknown = 読み取れませんでした
ui-status-signing-expiry-note = 署名用電子証明書の有効期限は「電子証明書を見る」で確かめられます (パスワードが必要です)。
ui-status-refresh = もう一度読み取る

## パスワードの変更

ui-change-heading = 署名用電子証明書のパスワードの変更
ui-change-intro = 今のパスワードと、新しいパスワードを2回入力してください。新しいパスワードは、英字と数字で6〜16文字です。
ui-change-old = 今のパスワード
ui-change-new = 新しいパスワード
ui-change-again = 新しいパスワード (確認のためもう一度)
ui-change-submit = パスワードを変更する
ui-change-sending = パスワードを変更しています
ui-change-nothing-sent = カードには何も送っていません。もう一度入力してください。
ui-change-done-advice = 新しいパスワードは、人に見られない場所に控えておいてください。

## 接続先の確認

ui-server-intro = 接続先が本物のオンライン窓口かどうかを、サーバ証明書で確かめます (ブラウザの鍵マークの「証明書の表示」と同じです)。
ui-server-trusted = 安全に接続できました。接続先のサーバ証明書は信頼できます。
ui-server-compare = フィンガープリントが、公的個人認証サービスポータルサイトに載っている値と同じか確かめてください。
ui-server-refresh = もう一度確かめる

## 設定

ui-settings-heading = 設定
ui-settings-language = 表示する言語
ui-settings-size = 文字の大きさ
ui-settings-size-normal = 標準
ui-settings-size-large = 大きい
ui-settings-size-largest = 特大 (2 倍)
ui-settings-theme = 画面の色
ui-settings-theme-normal = 標準の色
ui-settings-theme-high = ハイコントラスト (黒地に白・黄)
ui-settings-server = オンライン窓口のアドレス (https://…)
ui-settings-anchor = 信頼するルート証明書のファイル (空欄: 内蔵のもの)
ui-settings-proxy = プロキシ (system = パソコンの設定 / none = 使わない / http://ホスト:ポート)
ui-settings-counter = 窓口モード (共用端末で、住民の方の情報を自動で消します)
ui-settings-counter-off = 使わない
ui-settings-counter-on = 使う
ui-settings-idle = 操作がないときに情報を消すまでの秒数 (窓口モード)
ui-settings-save = 保存する
ui-settings-saved = 設定を保存しました。
ui-settings-not-saved = 設定を保存できませんでした
ui-settings-locked = 管理者が設定しているため、変更できません。
ui-settings-demo-window = デモでは、内蔵のオンライン窓口 (このパソコンの中) につながります。

## カードリーダーの選択 (カードが入ったカードリーダーが複数あるとき、仮想カードリーダーしかないとき)

ui-reader-heading = カードリーダーを選んでください
ui-reader-intro = マイナンバーカードを入れたカードリーダーを、次の中から 1 つ選んで押してください。選んだカードリーダーは、このアプリを閉じるまで使います。
ui-reader-lost = 選んでいたカードリーダー「{ $reader }」が取り外されました。もう一度選んでください。
ui-reader-none = カードリーダーがつながっていません
ui-reader-none-hint = カードリーダーをパソコンにつなぐと、ここに出てきます。
ui-reader-card-in = カードが入っています
ui-reader-card-out = カードが入っていません
ui-reader-in-use = (いま使っているカードリーダーです)
ui-reader-virtual = 注意: これは「仮想カードリーダー」です。本物の機械ではありません。
ui-reader-virtual-why = パソコンの中のプログラムがカードのふりをするもので、入力したパスワードはそのプログラムに渡ります。係の人から言われたとき以外は選ばないでください。
ui-reader-name-hint = カードリーダーの名前には、たいてい機械に書かれたメーカー名や型番が入っています。
ui-reader-keys = キーボードでは、Tab キーで選び、Enter キーで決めます。Esc キーで戻ります。
ui-reader-back = 戻る
ui-reader-choose = カードリーダーを選ぶ

## The card-removed screen (a card tool's card left the reader).
ui-card-removed-heading = カードが取り出されました
ui-card-removed-reinsert = マイナンバーカードをもう一度カードリーダーにセットしてください。
ui-card-removed-resume = カードをセットすると、自動的に続きの画面に戻ります。ボタンを押す必要はありません。
ui-card-removed-nothing-lost = パスワードは送っていないので、入力回数は減っていません。やめる場合は［トップ画面へ］を押してください。
recount-fewer = カードを読み直しました。残りの回数が { $before } 回から { $now } 回に減っています。さきほどのパスワードはまちがっていたと考えられます。
recount-not-fewer = カードを読み直しました。残りの回数は減っていません (いま { $now } 回)。
recount-read = カードを読み直しました。
recount-check = パスワードを入力する前に、残りの回数を確かめてください。
issuer-again = もう一度はじめからやり直しても同じ表示が出る場合は、下の「この電子証明書の発行者名」が「署名用電子証明書の正しい発行者名」と同じか比べてください。ちがう場合は、マイナンバーカードの署名用電子証明書ではありません。同じなのにこの表示が出る場合は、市区町村の窓口にご相談ください。
issuer-actual = この電子証明書の発行者名
issuer-expected = 署名用電子証明書の正しい発行者名 (公的個人認証サービス 署名用認証局)
issuer-expected-demo = 署名用電子証明書の正しい発行者名 (デモ用の認証局。本番では公的個人認証サービスの署名用認証局です)
