def generated = new File(basedir, 'target/generated-sources/extsvc/com/example/acme/AcmeMortgages.java')
assert generated.isFile()
assert new File(basedir, 'target/classes/com/example/Caller.class').isFile()
assert new File(basedir, 'target/classes/com/example/acme/AcmeMortgages$SubmitApplication$Callback.class').isFile()
return true
